# allocator_preload NAME: prints the library to LD_PRELOAD for NAME (empty for
# glibc); fails for an unknown name or a missing library.
allocator_preload() {
  local lib
  case "$1" in
    glibc) echo ""; return 0 ;;
    jemalloc) lib=libjemalloc.so.2 ;;
    mimalloc) lib=libmimalloc.so.2 ;;
    *) return 1 ;;
  esac
  local path
  path=$(/sbin/ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
  [[ -n "$path" && -f "$path" ]] || return 1
  echo "$path"
}
