# Interface targets that carry the project's compile settings, so no target
# edits CMAKE_CXX_FLAGS.

add_library(hotpath_warnings INTERFACE)
target_compile_options(hotpath_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  $<$<BOOL:${HOTPATH_WERROR}>:-Werror>)

# Bench code is aligned so that unrelated edits do not move timings.
add_library(hotpath_bench_flags INTERFACE)
target_compile_options(hotpath_bench_flags INTERFACE -falign-functions=32)

add_library(hotpath_sanitizers INTERFACE)
if(HOTPATH_SANITIZER STREQUAL "address")
  # GCC 12 reports -Wmaybe-uninitialized inside libstdc++'s std::regex
  # (std::function moved in _State) once ASan instruments it: a false
  # positive in a system header that would otherwise stop -Werror builds.
  target_compile_options(hotpath_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  target_link_options(hotpath_sanitizers INTERFACE -fsanitize=address,undefined)
elseif(HOTPATH_SANITIZER STREQUAL "thread")
  target_compile_options(hotpath_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(hotpath_sanitizers INTERFACE -fsanitize=thread)
elseif(NOT HOTPATH_SANITIZER STREQUAL "")
  message(FATAL_ERROR "HOTPATH_SANITIZER must be empty, address or thread, not '${HOTPATH_SANITIZER}'")
endif()

# The counting allocator replaces malloc; sanitizers replace it too, so the
# two never meet: sanitizer builds count nothing and say so in the run context.
if(HOTPATH_SANITIZER STREQUAL "")
  set(HOTPATH_COUNT_ALLOCATIONS ON)
else()
  set(HOTPATH_COUNT_ALLOCATIONS OFF)
endif()

# Every project target links this one.
add_library(hotpath_defaults INTERFACE)
target_link_libraries(hotpath_defaults INTERFACE hotpath_warnings hotpath_sanitizers)
