// The two sides of the end-to-end scenarios as traits: each names only its
// own impl_* components (plus common/), so a scenario body written once as a
// template over a side runs the before entirely on impl_before code and the
// after entirely on impl_after code. The benchmarks and the equivalence test
// instantiate the same bodies with these traits.
#ifndef HOTPATH_BENCHES_SCENARIOS_SIDES_H_
#define HOTPATH_BENCHES_SCENARIOS_SIDES_H_

#include <string_view>

#include "impl_after/batching/proposal_batcher.h"
#include "impl_after/formatting/simulator_names.h"
#include "impl_after/formatting/trace_attributes.h"
#include "impl_after/membership/node_state.h"
#include "impl_after/metrics/orchestrator_metrics.h"
#include "impl_after/proposals/pending_proposals.h"
#include "impl_after/proposals/response.h"
#include "impl_before/batching/proposal_batcher.h"
#include "impl_before/formatting/simulator_names.h"
#include "impl_before/formatting/trace_attributes.h"
#include "impl_before/membership/node_state.h"
#include "impl_before/metrics/orchestrator_metrics.h"
#include "impl_before/proposals/pending_proposals.h"
#include "impl_before/proposals/response.h"

namespace hotpath::scenarios {

struct BeforeSide {
  static constexpr std::string_view kName = "before";
  using Pending = proposals::before::PendingProposals;
  using Batcher = batching::before::ProposalBatcher;
  using Result = proposals::before::ProposalResult;
  using Waiter = proposals::before::Waiter;
  using Metrics = metrics::before::OrchestratorMetrics;
  using NodeState = membership::before::SharedNodeState;
  using Names = formatting::before::SimulatorNames;
  using Tracer = formatting::before::TraceFormatter;
  using TraceAttribute = formatting::before::TraceAttribute;
};

struct AfterSide {
  static constexpr std::string_view kName = "after";
  using Pending = proposals::after::PendingProposals;
  using Batcher = batching::after::ProposalBatcher;
  using Result = proposals::after::ProposalResult;
  using Waiter = proposals::after::Waiter;
  using Metrics = metrics::after::OrchestratorMetrics;
  using NodeState = membership::after::SharedNodeState;
  using Names = formatting::after::SimulatorNames;
  using Tracer = formatting::after::TraceFormatter;
  using TraceAttribute = formatting::after::TraceAttribute;
};

}  // namespace hotpath::scenarios

#endif  // HOTPATH_BENCHES_SCENARIOS_SIDES_H_
