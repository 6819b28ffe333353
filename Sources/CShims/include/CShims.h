#ifndef CSHIMS_H
#define CSHIMS_H
/// Replacements for libm functions whose only symbol version on the build machine is newer than Amazon Linux 2023's
/// glibc 2.34. The executables link with `--wrap=hypot --wrap=hypotf`, so every call lands here.
double __wrap_hypot(double x, double y);
float __wrap_hypotf(float x, float y);
/* Standard output flushed at each line, even into a pipe (the command line's progress in a CI log). */
void cshims_line_buffered_stdout(void);

#endif
