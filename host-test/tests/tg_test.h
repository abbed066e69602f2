/* What the test programs that load the built bundle share. Run from the
 * source tree; the sanitizer and contraction builds point TG_BUILD_DIR at
 * their own bundle. */
#ifndef TG_TEST_H
#define TG_TEST_H

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#ifndef TG_BUILD_DIR
#define TG_BUILD_DIR "build"
#endif
#define BUNDLE TG_BUILD_DIR "/tguard.lv2"

#endif
