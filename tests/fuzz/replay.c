/* replay.c - the main() of a fuzz target in the gcc builds: feeds every file of the corpus
 * directories named on the command line to LLVMFuzzerTestOneInput once, so `make test`
 * proves (plain and under ASan+UBSan) that no input libFuzzer ever kept, and no crash ever
 * fixed, breaks the code again. It generates nothing and needs no clang.
 *
 * Each input is copied into a buffer of exactly its size, as libFuzzer does, so ASan sees a
 * read past its end. Exits 1 when a corpus is missing or empty: a replay of nothing would
 * pass silently. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Reads path whole into a new exact-size buffer (free with free()). 0, or -1. */
static int slurp(const char *path, uint8_t **out, size_t *n) {
  FILE *f = fopen(path, "rb");
  struct stat st;
  int rc = -1;
  if (!f) return -1;
  if (fstat(fileno(f), &st) == 0) {
    *n = (size_t)st.st_size;
    *out = malloc(*n ? *n : 1);
    if (*out && fread(*out, 1, *n, f) == *n) rc = 0;
    if (rc != 0) free(*out);
  }
  fclose(f);
  return rc;
}

/* Replays every regular file of dir; the count, or -1 when dir cannot be read. */
static long replay_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  long count = 0;
  if (!d) return -1;
  while ((e = readdir(d)) != NULL) {
    char path[4096];
    struct stat st;
    uint8_t *buf;
    size_t n;
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (slurp(path, &buf, &n) != 0) {
      fprintf(stderr, "replay: cannot read %s\n", path);
      count = -1;
      break;
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    count++;
  }
  closedir(d);
  return count;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    long n = replay_dir(argv[i]);
    if (n <= 0) {
      fprintf(stderr, "replay: %s: %s\n", argv[i], n < 0 ? "cannot read" : "no inputs");
      return 1;
    }
    printf("replay: %s: %ld inputs, no crash\n", argv[i], n);
  }
  return argc > 1 ? 0 : 1;
}
