/* test_clock.c - common/clock: RFC 3339 formatting, the strict and the lax parser, and the
 * clocks. */
#include <check.h>
#include <stdlib.h>

#include "common/clock.h"
#include "common/random.h"

#include "test_run.h"

START_TEST(test_format_is_utc_milliseconds) {
  char text[HG_RFC3339_LEN];
  hg_time_rfc3339(1736951400123LL, text);
  ck_assert_str_eq(text, "2025-01-15T14:30:00.123Z");
  hg_time_rfc3339(0, text);
  ck_assert_str_eq(text, "1970-01-01T00:00:00.000Z");
  hg_time_rfc3339(-5, text); /* before the epoch: written as the epoch */
  ck_assert_str_eq(text, "1970-01-01T00:00:00.000Z");
}
END_TEST

START_TEST(test_format_parses_back_in_both_modes) {
  char text[HG_RFC3339_LEN];
  int64_t ms = 0;
  hg_time_rfc3339(1736951400123LL, text);
  ck_assert_int_eq(hg_time_parse_rfc3339(text, HG_RFC3339_LAX, &ms), 0);
  ck_assert_int_eq(ms, 1736951400123LL);
  ms = 0;
  ck_assert_int_eq(hg_time_parse_rfc3339(text, HG_RFC3339_STRICT, &ms), 0);
  ck_assert_int_eq(ms, 1736951400123LL);
}
END_TEST

/* Texts both modes accept, and the instant they name. */
static const struct {
  const char *text;
  int64_t ms;
} both[] = {
    {"2025-01-15T16:30:00+02:00", 1736951400000LL},
    {"2025-01-15T12:30:00-02:00", 1736951400000LL},
    {"2025-01-15t14:30:00z", 1736951400000LL},
    {"2025-01-15T14:30:00.5Z", 1736951400500LL},
    {"2025-01-15T14:30:00.123456Z", 1736951400123LL}, /* cut to milliseconds */
    {"2024-02-29T00:00:00Z", 1709164800000LL},
    {"2016-12-31T23:59:60Z", 1483228800000LL}, /* leap second: the next minute */
};

START_TEST(test_both_modes_accept) {
  for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
    int64_t lax = 0, strict = 0;
    ck_assert_msg(hg_time_parse_rfc3339(both[i].text, HG_RFC3339_LAX, &lax) == 0, "%s",
                  both[i].text);
    ck_assert_msg(hg_time_parse_rfc3339(both[i].text, HG_RFC3339_STRICT, &strict) == 0, "%s",
                  both[i].text);
    ck_assert_int_eq(lax, both[i].ms);
    ck_assert_int_eq(strict, both[i].ms);
  }
}
END_TEST

START_TEST(test_both_modes_refuse) {
  static const char *const bad[] = {
      "",
      "2025-01-15",
      "2025-01-15T14:30:00",      /* no offset */
      "2025-01-15T14:30:00.Z",    /* empty fraction */
      "2025-01-15T14:30:00+2:00", /* short offset */
      "2025-01-15T14:30:00+24:00",
      "2025-01-15T14:30:00Zjunk",
      "2025-13-15T14:30:00Z",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int64_t ms = 42;
    ck_assert_msg(hg_time_parse_rfc3339(bad[i], HG_RFC3339_LAX, &ms) == -1, "%s", bad[i]);
    ck_assert_msg(hg_time_parse_rfc3339(bad[i], HG_RFC3339_STRICT, &ms) == -1, "%s", bad[i]);
    ck_assert_int_eq(ms, 42); /* unchanged on failure */
  }
}
END_TEST

/* What strptime lets through and section 5.6 does not. */
START_TEST(test_strict_refuses_what_lax_takes) {
  static const char *const lax_only[] = {
      "2025-02-30T00:00:00Z", /* rolls over into March when lax */
      "2025-1-15T14:30:00Z",  /* one-digit month */
      "2025-01-15T4:30:00Z",  /* one-digit hour */
      "2023-02-29T00:00:00Z", /* not a leap year */
  };
  for (size_t i = 0; i < sizeof(lax_only) / sizeof(lax_only[0]); i++) {
    int64_t ms = 0;
    ck_assert_msg(hg_time_parse_rfc3339(lax_only[i], HG_RFC3339_LAX, &ms) == 0, "%s", lax_only[i]);
    ck_assert_msg(hg_time_parse_rfc3339(lax_only[i], HG_RFC3339_STRICT, &ms) == -1, "%s",
                  lax_only[i]);
  }
}
END_TEST

START_TEST(test_monotonic_clock_never_goes_back) {
  int64_t us = hg_monotonic_us(), ms = hg_monotonic_ms();
  ck_assert_int_ge(hg_monotonic_us(), us);
  ck_assert_int_ge(hg_monotonic_ms(), ms);
  ck_assert_int_gt(hg_now_ms(), 1700000000000LL); /* after 2023: the wall clock is set */
}
END_TEST

/* The reference outputs of splitmix64 seeded with 0 (SplittableRandom, Vigna's C code). */
/* The deadline lies ms after a clock read before it and at most ms after one after it,
 * with tv_nsec normalised. */
START_TEST(test_timespec_after_is_ms_from_now) {
  static const int64_t delays[] = {0, 1, 999, 1000, 1999, 86400123};
  for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec d = hg_timespec_after(CLOCK_MONOTONIC, delays[i]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int64_t dn = (int64_t)d.tv_sec * 1000000000 + d.tv_nsec;
    ck_assert_int_ge(d.tv_nsec, 0);
    ck_assert_int_lt(d.tv_nsec, 1000000000);
    ck_assert_int_ge(dn, (int64_t)t0.tv_sec * 1000000000 + t0.tv_nsec + delays[i] * 1000000);
    ck_assert_int_le(dn, (int64_t)t1.tv_sec * 1000000000 + t1.tv_nsec + delays[i] * 1000000);
  }
}
END_TEST

START_TEST(test_splitmix64_reference_sequence) {
  uint64_t state = 0;
  ck_assert_uint_eq(hg_splitmix64_next(&state), 0xE220A8397B1DCDAFull);
  ck_assert_uint_eq(hg_splitmix64_next(&state), 0x6E789E6AA1B965F4ull);
  ck_assert_uint_eq(hg_splitmix64_next(&state), 0x06C45D188009454Full);
  ck_assert_uint_eq(hg_splitmix64_mix(0), 0);
}
END_TEST

START_TEST(test_now_text_is_rfc3339_between_two_clock_reads) {
  hg_arena_t *a = hg_arena_new();
  int64_t before = hg_now_ms();
  char *text = hg_now_text(a);
  int64_t after = hg_now_ms(), at = 0;
  ck_assert_ptr_nonnull(text);
  ck_assert_uint_eq(strlen(text), strlen("2025-01-15T14:20:00.123Z"));
  ck_assert_int_eq(text[strlen(text) - 1], 'Z');
  ck_assert_int_eq(hg_time_parse_rfc3339(text, HG_RFC3339_STRICT, &at), 0);
  ck_assert(at >= before && at <= after);
  hg_arena_free(a);
}
END_TEST

int main(void) {
  TEST_RUN("clock", 0, test_format_is_utc_milliseconds, test_format_parses_back_in_both_modes,
           test_both_modes_accept, test_both_modes_refuse, test_strict_refuses_what_lax_takes,
           test_monotonic_clock_never_goes_back, test_timespec_after_is_ms_from_now,
           test_splitmix64_reference_sequence, test_now_text_is_rfc3339_between_two_clock_reads);
}
