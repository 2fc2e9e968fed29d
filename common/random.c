/* random.c - splitmix64, as in the paper's reference code (and Java's SplittableRandom). */
#include "common/random.h"

uint64_t hg_splitmix64_mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t hg_splitmix64_next(uint64_t *state) {
  return hg_splitmix64_mix(*state += 0x9E3779B97F4A7C15ull);
}
