#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations the command line needs, without Foundation.
enum FileSystem {
    /// Whether `path` is an existing directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The size in bytes of the file at `path` (following links); nil when there is none.
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Whether `path` is a folder with nothing in it.
    static func isEmptyFolder(_ path: String) -> Bool {
        guard let folder = opendir(path) else { return false }
        defer { closedir(folder) }
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { return false }
        }
        return true
    }

    /// Whether `path` (existing or not) lies inside the folder `folder` or is it, links resolved: its
    /// nearest existing ancestor is resolved, then the rest of the path is added.
    static func isInside(_ path: String, folder: String) -> Bool {
        func resolved(_ path: String) -> String? {
            guard let pointer = realpath(path, nil) else { return nil }
            defer { free(pointer) }
            return String(cString: pointer)
        }
        guard let root = resolved(folder) else { return false }
        var rest: [Substring] = []
        var ancestor = path.isEmpty ? "." : path
        while resolved(ancestor) == nil {
            guard let slash = ancestor.lastIndex(of: "/") else {
                rest.insert(ancestor[...], at: 0)
                ancestor = "."
                break
            }
            rest.insert(ancestor[ancestor.index(after: slash)...], at: 0)
            ancestor = slash == ancestor.startIndex ? "/" : String(ancestor[..<slash])
        }
        guard let base = resolved(ancestor) else { return false }
        let full = ([base] + rest.filter { !$0.isEmpty && $0 != "." }.map(String.init)).joined(separator: "/")
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return full == root || full.hasPrefix(prefix)
    }

    /// Whether anything exists at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Writes `text` to `path` (created or truncated); returns an error message on failure.
    /// A file this call created is removed when the write fails (a full disk), so that no empty or
    /// partial file is left looking like an output.
    static func write(_ text: String, to path: String) -> String? {
        let existed = exists(path)
        guard let file = fopen(path, "wb") else { return String(cString: strerror(errno)) }
        var text = text
        let written = text.withUTF8 { bytes in fwrite(bytes.baseAddress, 1, bytes.count, file) }
        let writeFailure = errno
        let closed = fclose(file)
        if written == text.utf8.count && closed == 0 { return nil }
        let reason = String(cString: strerror(written == text.utf8.count ? errno : writeFailure))
        if !existed { unlink(path) }
        return reason
    }
}
