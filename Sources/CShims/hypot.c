#include "CShims.h"

/* Computes sqrt(x*x + y*y) without undue overflow or underflow, as hypot does, but without calling libm's hypot
 * (GLIBC_2.35 on the build machine). sqrt itself is a compiler builtin (an instruction on x86_64). */
double __wrap_hypot(double x, double y) {
    if (__builtin_isinf(x) || __builtin_isinf(y)) return __builtin_inf();
    if (__builtin_isnan(x) || __builtin_isnan(y)) return x + y;
    double a = __builtin_fabs(x), b = __builtin_fabs(y);
    if (a < b) { double t = a; a = b; b = t; }
    if (a == 0.0) return 0.0;
    double r = b / a;
    return a * __builtin_sqrt(1.0 + r * r);
}

float __wrap_hypotf(float x, float y) {
    return (float)__wrap_hypot((double)x, (double)y);
}
