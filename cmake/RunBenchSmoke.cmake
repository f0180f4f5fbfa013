# Smoke test of one bench binary: a tiny run with JSON output, then the JSON
# is checked for shape (every row has a name, a positive time, no error).
# Nothing here judges a timing: the run proves that every benchmark runs to
# the end and checks its own results (SkipWithError shows up as an error row).
#
# -DBENCH=binary -DOUT=json -DCHECKER=scripts/check-bench-json
# [-DSANITIZER=address|thread]: under a sanitizer each benchmark runs a single
# iteration (min time 0), since an instrumented iteration costs 2-20x more and
# its time means nothing; the allocation counters are off there and the
# checker then asks for none.
#
# HOTPATH_ALLOC_CROSSCHECK=1: each benchmark's per-thread allocation total is
# checked against the process-wide count over the same region (bench_support.h)
# and a difference fails it, as an error row; the checker also asks that the
# cross-check was on whenever counting was.
if(SANITIZER)
  set(min_time 0)
else()
  set(min_time 0.001)
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env HOTPATH_ALLOC_CROSSCHECK=1
          ${BENCH} --benchmark_min_time=${min_time} --benchmark_out=${OUT}
          --benchmark_out_format=json --benchmark_format=console
  RESULT_VARIABLE bench_rc)
if(NOT bench_rc EQUAL 0)
  message(FATAL_ERROR "${BENCH} exited with ${bench_rc}")
endif()
execute_process(COMMAND ${CHECKER} --require-crosscheck ${OUT} RESULT_VARIABLE check_rc)
if(NOT check_rc EQUAL 0)
  message(FATAL_ERROR "${OUT} failed the JSON check")
endif()
