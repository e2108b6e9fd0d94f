/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * Which sanitizer a build has (build-aux/sanitize.sh makes such builds):
 * LAB_WITH_ASAN for AddressSanitizer, LAB_WITH_TSAN for ThreadSanitizer.
 * GCC says so with __SANITIZE_*__, clang with __has_feature().
 */

#if defined(__SANITIZE_ADDRESS__)
# define LAB_WITH_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define LAB_WITH_ASAN 1
# endif
#endif

#if defined(__SANITIZE_THREAD__)
# define LAB_WITH_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define LAB_WITH_TSAN 1
# endif
#endif
