// DetectAllocator (alloc_counter.h), in counted and sanitizer builds alike.
#include <dlfcn.h>

#include "benches/harness/alloc_counter.h"

namespace hotpath::harness {

std::string DetectAllocator() {
  if (dlsym(RTLD_DEFAULT, "mi_version") != nullptr) return "mimalloc";
  if (dlsym(RTLD_DEFAULT, "mallctl") != nullptr) return "jemalloc";
  return "glibc";
}

}  // namespace hotpath::harness
