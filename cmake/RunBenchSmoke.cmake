# Smoke test of one bench binary: a tiny run with JSON output, then the JSON
# is checked for shape (every row has a name, a positive time, no error).
execute_process(
  COMMAND ${BENCH} --benchmark_min_time=0.001 --benchmark_out=${OUT}
          --benchmark_out_format=json --benchmark_format=console
  RESULT_VARIABLE bench_rc)
if(NOT bench_rc EQUAL 0)
  message(FATAL_ERROR "${BENCH} exited with ${bench_rc}")
endif()
execute_process(COMMAND ${CHECKER} ${OUT} RESULT_VARIABLE check_rc)
if(NOT check_rc EQUAL 0)
  message(FATAL_ERROR "${OUT} failed the JSON check")
endif()
