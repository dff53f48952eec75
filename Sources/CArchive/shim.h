// CArchive shim: libarchive (Debian libarchive-dev), for reading .tar.gz, .tgz and .zip datasets.
#include <archive.h>
#include <archive_entry.h>

/* libarchive's AE_IF* file types are cast expressions, which Swift does not import. */
enum {
    RUNNER_AE_IFMT = AE_IFMT,
    RUNNER_AE_IFREG = AE_IFREG,
    RUNNER_AE_IFLNK = AE_IFLNK,
    RUNNER_AE_IFSOCK = AE_IFSOCK,
    RUNNER_AE_IFCHR = AE_IFCHR,
    RUNNER_AE_IFBLK = AE_IFBLK,
    RUNNER_AE_IFDIR = AE_IFDIR,
    RUNNER_AE_IFIFO = AE_IFIFO,
};

#ifdef __linux__
/* archive_write_disk resolves entry paths against the working directory. unshare(CLONE_FS) gives the
   calling thread a working directory of its own, so extraction can chdir without moving other threads.
   Declared here because Swift's Glibc module is built without _GNU_SOURCE. */
extern int unshare(int flags);
static inline int runner_unshare_working_directory(void) {
    return unshare(0x00000200 /* CLONE_FS */);
}
#endif

#include <locale.h>
/* libarchive converts entry names between UTF-8 and the current locale's charset; in a process left in
   the "C" locale a zip entry named in UTF-8 comes out without a name. Extraction runs with this locale
   made current for its thread only (uselocale), so names reach the disk as UTF-8. */
static inline locale_t runner_utf8_ctype_locale(void) {
    return newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}
