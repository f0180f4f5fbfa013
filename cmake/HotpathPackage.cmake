# The package a team adds to its own Google Benchmark suite (README "Use it
# in your own Google Benchmark suite"):
#
#   find_package(hotpath CONFIG REQUIRED)     # or add_subdirectory / FetchContent
#   target_link_libraries(my_benchmarks PRIVATE hotpath::alloc_counter)
#
# hotpath::alloc_counter is an OBJECT library, so its malloc/free and
# operator new/delete definitions are always linked into the executable (an
# archive member nobody references would be dropped). It brings the
# counting allocator, Google Benchmark's memory hook registered before main
# (benches/harness/auto_memory_manager.cc) and the allocation scope header
# <hotpath/allocation_scope.h>. `cmake --install` also puts benchgate in
# bin/ (hotpath::benchgate for add_test).
#
# Not in sanitizer builds: the sanitizer owns malloc there.
if(NOT HOTPATH_COUNT_ALLOCATIONS)
  return()
endif()

find_package(benchmark REQUIRED)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(hotpath_package_alloc_counter OBJECT
  benches/harness/alloc_counter.cc
  benches/harness/allocator_name.cc
  benches/harness/auto_memory_manager.cc
  benches/harness/memory_manager.cc)
add_library(hotpath::alloc_counter ALIAS hotpath_package_alloc_counter)
set_target_properties(hotpath_package_alloc_counter PROPERTIES
  EXPORT_NAME alloc_counter
  POSITION_INDEPENDENT_CODE ON)
# Sources include "benches/harness/x.h"; users include <hotpath/...>.
target_include_directories(hotpath_package_alloc_counter PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/hotpath>)
target_compile_features(hotpath_package_alloc_counter PUBLIC cxx_std_17)
target_link_libraries(hotpath_package_alloc_counter
  PUBLIC benchmark::benchmark Threads::Threads ${CMAKE_DL_LIBS}
  PRIVATE $<BUILD_INTERFACE:hotpath_defaults>)

install(TARGETS hotpath_package_alloc_counter EXPORT hotpathTargets
  OBJECTS DESTINATION ${CMAKE_INSTALL_LIBDIR}/hotpath)
install(FILES include/hotpath/allocation_scope.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hotpath)
install(FILES
    benches/harness/alloc_counter.h
    benches/harness/bench_support.h
    benches/harness/callgrind_support.h
    benches/harness/memory_manager.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hotpath/benches/harness)
if(TARGET benchgate)
  install(TARGETS benchgate EXPORT hotpathTargets
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  add_executable(hotpath::benchgate ALIAS benchgate)
endif()

set(HOTPATH_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hotpath)
install(EXPORT hotpathTargets NAMESPACE hotpath:: DESTINATION ${HOTPATH_CMAKE_DIR})
configure_package_config_file(cmake/hotpathConfig.cmake.in
  ${PROJECT_BINARY_DIR}/hotpathConfig.cmake
  INSTALL_DESTINATION ${HOTPATH_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hotpathConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
    ${PROJECT_BINARY_DIR}/hotpathConfig.cmake
    ${PROJECT_BINARY_DIR}/hotpathConfigVersion.cmake
  DESTINATION ${HOTPATH_CMAKE_DIR})
