// benchgate cpus: the choice of CPU from probe samples, and the probe itself
// on whatever CPUs this test may use.

#include "benchgate/cpus.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <regex>
#include <sstream>
#include <string>

namespace hotpath::benchgate {
namespace {

CpuSpeed Speed(int cpu, std::vector<double> ms) {
  CpuSpeed speed{cpu, std::move(ms), 0.0, 0.0};
  Summarise(speed);
  return speed;
}

TEST(Cpus, SummariseTakesTheMedianAndTheRelativeRange) {
  const CpuSpeed odd = Speed(0, {9.0, 30.0, 10.0});
  EXPECT_DOUBLE_EQ(odd.median, 10.0);
  EXPECT_DOUBLE_EQ(odd.spread, 2.1);
  const CpuSpeed even = Speed(1, {8.0, 12.0, 10.0, 11.0});
  EXPECT_DOUBLE_EQ(even.median, 10.5);
  EXPECT_DOUBLE_EQ(even.spread, 4.0 / 10.5);
}

TEST(Cpus, PicksTheLowestMedianNotTheLowestSample) {
  // cpu 0 has the single fastest sample but is slow most of the time (a
  // neighbour that comes and goes); cpu 1 is steadily faster.
  const std::vector<CpuSpeed> speeds = {Speed(0, {5.0, 16.0, 15.0, 17.0, 16.0}),
                                        Speed(1, {9.0, 9.2, 9.1, 9.3, 9.0})};
  EXPECT_EQ(PickFastest(speeds), 1);
}

TEST(Cpus, WithinOnePercentTheSteadierWinsThenTheLowerNumber) {
  EXPECT_EQ(PickFastest(
                {Speed(0, {10.0, 13.0, 10.0}), Speed(1, {10.05, 10.1, 10.05})}),
            1);
  EXPECT_EQ(PickFastest({Speed(3, {10.0, 10.0}), Speed(2, {10.0, 10.0})}), 1);
  EXPECT_EQ(PickFastest({}), -1);
}

TEST(Cpus, ProbesEveryAllowedCpuAndRestoresTheMask) {
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
  CpusOptions options;
  options.rounds = 3;
  options.steps = 1 << 16;
  const std::vector<CpuSpeed> speeds = ProbeCpus(options);
  ASSERT_EQ(static_cast<int>(speeds.size()), CPU_COUNT(&before));
  for (const CpuSpeed& speed : speeds) {
    EXPECT_TRUE(CPU_ISSET(speed.cpu, &before));
    EXPECT_EQ(speed.milliseconds.size(), 3U);
    EXPECT_GT(speed.median, 0.0);
  }
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after));

  std::ostringstream out;
  PrintCpus(speeds, out);
  const int best = PickFastest(speeds);
  ASSERT_GE(best, 0);
  EXPECT_NE(out.str().find(
                "benchgate cpus: fastest: cpu " +
                std::to_string(speeds[static_cast<std::size_t>(best)].cpu) +
                " (of " + std::to_string(speeds.size())),
            std::string::npos)
      << out.str();
}

TEST(Cpus, PrintsEachCpuAgainstTheFastest) {
  std::ostringstream out;
  PrintCpus({Speed(0, {16.0, 16.0, 16.0}), Speed(1, {10.0, 10.0, 10.0})}, out);
  EXPECT_EQ(
      out.str(),
      "cpu 0: 16.0 ms per probe (median of 3, spread 0%), 1.60x the fastest\n"
      "cpu 1: 10.0 ms per probe (median of 3, spread 0%), fastest\n"
      "benchgate cpus: fastest: cpu 1 (of 2; the slowest takes 1.60x)\n");
}

}  // namespace
}  // namespace hotpath::benchgate
