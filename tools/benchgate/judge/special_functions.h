// The few distribution functions the tests need, so benchgate depends on no
// numerics library. Accuracy is ~1e-12 or better across the ranges used
// (checked against SciPy in tests/benchgate/special_functions_test.cc).

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_SPECIAL_FUNCTIONS_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_SPECIAL_FUNCTIONS_H_

namespace hotpath::benchgate {

// Standard normal distribution function.
double NormalCdf(double x);
// Inverse of NormalCdf for p in (0, 1).
double NormalQuantile(double p);
// I_x(a, b), the regularised incomplete beta function.
double RegularizedIncompleteBeta(double a, double b, double x);
// Student's t distribution function with df degrees of freedom (df > 0).
double StudentTCdf(double t, double df);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_SPECIAL_FUNCTIONS_H_
