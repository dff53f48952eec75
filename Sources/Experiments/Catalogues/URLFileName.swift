// URLFileName: the file name at the end of a URL's path, as catalogues and caches name downloads.

enum URLFileName {
    /// `https://host/a/b/resnet34-b627a593.pth?x=1` → `resnet34-b627a593.pth`.
    static func of(_ url: String) -> String {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        return path.split(separator: "/").last.map(String.init) ?? ""
    }
}
