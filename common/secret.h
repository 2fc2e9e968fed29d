/* secret.h - random text that must not be guessed: tokens, passwords, database names.
 * Bytes come from OpenSSL's CSPRNG (RAND_bytes); see random.h for ids that only need to be
 * unique. Threads: any. */
#ifndef HANGAR_SECRET_H
#define HANGAR_SECRET_H

#include <stddef.h>

/* Upper and lower case letters and digits (62), and lower case letters and digits (36). */
extern const char hg_secret_alnum[];
extern const char hg_secret_lower_alnum[];

/* Fills out[0..n) with characters drawn uniformly from alphabet (2 to 256 characters,
 * NUL-terminated); out is not terminated. 0, or -1 when the CSPRNG fails. */
int hg_secret_text(const char *alphabet, char *out, size_t n);

#endif
