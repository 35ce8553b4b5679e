/// Whether `path` is `folder` or lies inside it, compared by path components: a string prefix
/// would let `/work/root-secrets/key` pass for the root `/work/root`. Both paths are absolute and
/// already standardised (no `.`, `..` or symbolic links left).
func isInside(_ path: String, folder: String) -> Bool {
    let inner = path.split(separator: "/", omittingEmptySubsequences: true)
    let outer = folder.split(separator: "/", omittingEmptySubsequences: true)
    return inner.count >= outer.count && zip(inner, outer).allSatisfy { $0 == $1 }
}
