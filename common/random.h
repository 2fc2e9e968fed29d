/* random.h - splitmix64 (Steele, Lea, Flood 2014): fast, well-mixed, NOT secret numbers,
 * for ids that only need to be unique (request ids). Secrets come from getrandom().
 * Threads: any; the state is the caller's. */
#ifndef HANGAR_RANDOM_H
#define HANGAR_RANDOM_H

#include <stdint.h>

/* splitmix64's output function: a bijection of x whose every output bit depends on every
 * input bit, so a counter run through it looks random. */
uint64_t hg_splitmix64_mix(uint64_t x);
/* Advances *state by the golden-ratio step and answers the mix of the new state. */
uint64_t hg_splitmix64_next(uint64_t *state);

#endif
