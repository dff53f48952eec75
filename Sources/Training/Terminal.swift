// Terminal: whether standard output is an interactive terminal, and how wide it is.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Terminal {
    /// A terminal that understands `\r` and ANSI erase: not a pipe or file, and not TERM=dumb (Emacs shells).
    public static var standardOutputIsInteractive: Bool {
        guard isatty(STDOUT_FILENO) != 0 else { return false }
        guard let term = getenv("TERM") else { return true }
        return String(cString: term) != "dumb"
    }

    /// The width in columns, or nil when it cannot be asked (then callers assume 80).
    public static var columns: Int? {
        var size = winsize()
        #if canImport(Glibc)
        let request = UInt(TIOCGWINSZ)
        #else
        let request = TIOCGWINSZ
        #endif
        guard ioctl(STDOUT_FILENO, request, &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
