#include "benchgate/judge/special_functions.h"

#include <gtest/gtest.h>

namespace hotpath::benchgate {
namespace {

// Reference values from SciPy 1.10.

TEST(SpecialFunctions, NormalQuantile) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(NormalQuantile(1e-6), -4.753424308822899, 1e-10);
  EXPECT_NEAR(NormalQuantile(0.3), -0.5244005127080409, 1e-12);
  EXPECT_NEAR(NormalCdf(NormalQuantile(0.123)), 0.123, 1e-14);
}

TEST(SpecialFunctions, StudentT) {
  EXPECT_NEAR(StudentTCdf(-2.1, 7.3), 0.03612335671242664, 1e-12);
  EXPECT_NEAR(StudentTCdf(1.3, 3), 0.8577662456360515, 1e-12);
  EXPECT_NEAR(StudentTCdf(0.4, 50), 0.6545698362911632, 1e-12);
  EXPECT_DOUBLE_EQ(StudentTCdf(0.0, 4), 0.5);
}

TEST(SpecialFunctions, IncompleteBeta) {
  EXPECT_NEAR(RegularizedIncompleteBeta(2.5, 0.5, 0.3), 0.01892712407194565,
              1e-13);
  EXPECT_NEAR(RegularizedIncompleteBeta(10, 20, 0.4), 0.785318389762826, 1e-12);
  EXPECT_DOUBLE_EQ(RegularizedIncompleteBeta(2, 3, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(RegularizedIncompleteBeta(2, 3, 1.0), 1.0);
}

}  // namespace
}  // namespace hotpath::benchgate
