#include "benchgate/judge/glob.h"

#include <gtest/gtest.h>

namespace hotpath::benchgate {
namespace {

TEST(Glob, StarStaysInsideASegment) {
  EXPECT_TRUE(GlobMatch("metrics/*", "metrics/Record"));
  EXPECT_FALSE(GlobMatch("metrics/*", "metrics/Record/16"));
  EXPECT_TRUE(GlobMatch("*/Record/*", "metrics/Record/16"));
}

TEST(Glob, DoubleStarCrossesSegmentsAndMayBeEmpty) {
  EXPECT_TRUE(GlobMatch("metrics/**", "metrics/Record/16/threads:2"));
  EXPECT_TRUE(GlobMatch("scenarios/VmOperations/**", "scenarios/VmOperations"));
  EXPECT_TRUE(GlobMatch("a/**/z", "a/z"));
  EXPECT_TRUE(GlobMatch("a/**/z", "a/b/c/z"));
  EXPECT_FALSE(GlobMatch("metrics/**", "metricsx/Record"));
  EXPECT_FALSE(GlobMatch("metrics/**", "membership/Get"));
}

TEST(Glob, QuestionMarkIsOneCharacter) {
  EXPECT_TRUE(GlobMatch("a/?/c", "a/b/c"));
  EXPECT_FALSE(GlobMatch("a?c", "a/c"));
}

}  // namespace
}  // namespace hotpath::benchgate
