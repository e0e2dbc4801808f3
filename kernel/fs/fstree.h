/*
 * The initrd as a read-only file system: the cpio archive's entries
 * (kernel/proc/cpio.c) turned once, at boot, into a tree of nodes - one per
 * directory, regular file, symlink or device node - and path resolution
 * over that tree as Linux's path_resolution(7) describes it: absolute and
 * relative paths, repeated slashes, `.` and `..`, symbolic links with a
 * limit of 40 (-ELOOP), -ENOENT, -ENOTDIR and -ENAMETOOLONG.
 *
 * Pure: no allocation (the caller hands in the node array), no kernel
 * state; host unit tests drive it (tests/host/test_fstree.c).  Names and
 * file data point into the archive, which must stay where it is.
 */
#ifndef SYSGATE_FSTREE_H
#define SYSGATE_FSTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_NONE        0xffffffffu  /* no node */
#define FS_ROOT        0u           /* the root directory is node 0 */
#define FS_NAME_MAX    255          /* NAME_MAX */
#define FS_PATH_MAX    4096         /* PATH_MAX, the NUL included */
#define FS_SYMLINK_MAX 40           /* Linux's MAXSYMLINKS: then -ELOOP */

/* st_mode's file types (Linux's S_IF*). */
#define FS_S_IFMT   0170000
#define FS_S_IFSOCK 0140000
#define FS_S_IFLNK  0120000
#define FS_S_IFREG  0100000
#define FS_S_IFBLK  0060000
#define FS_S_IFDIR  0040000
#define FS_S_IFCHR  0020000
#define FS_S_IFIFO  0010000

struct fs_node {
    const char *name;           /* the last component, not NUL-terminated */
    uint32_t namelen;           /* 0 for the root */
    uint32_t parent;            /* the root is its own parent */
    uint32_t first_child, last_child, next_sibling;     /* in archive order */
    uint32_t mode, ino, uid, gid, nlink, mtime;
    uint32_t rdev_major, rdev_minor;
    const void *data;           /* a file's bytes, a symlink's target */
    uint64_t size;
    bool synthesized;           /* a directory the archive implied only */
};

struct fs_tree {
    struct fs_node *nodes;
    uint32_t count, capacity;
    uint32_t skipped;           /* entries left out: "..", a non-directory parent, no room */
    bool malformed;             /* the archive ended in a malformed header */
};

static inline bool fs_is_dir(const struct fs_node *n)
{
    return (n->mode & FS_S_IFMT) == FS_S_IFDIR;
}

/* An upper bound of the nodes fs_tree_build needs for this archive (every
 * entry and every directory its name implies), plus the root. */
uint32_t fs_tree_capacity(const void *archive, size_t size);

/* Builds the tree from the archive into nodes[capacity].  Later entries
 * for the same path replace the earlier ones' metadata (as Linux unpacks
 * an initramfs); directories the archive only implies get mode 0755, the
 * mtime 0 and inode numbers above the archive's.  Hard
 * links written by cpio (data only with the last link) share that data. */
void fs_tree_build(struct fs_tree *t, struct fs_node *nodes, uint32_t capacity, const void *archive,
                   size_t size);

/* Adds a node that is not in the archive (the kernel's /dev entries):
 * path relative to the root, its parent directories created as needed.
 * An existing node of that path is kept as it is.  Returns the node or
 * FS_NONE when there is no room or a parent is not a directory. */
uint32_t fs_tree_add(struct fs_tree *t, const char *path, uint32_t mode, uint32_t rdev_major,
                     uint32_t rdev_minor);

/* The child of dir called name[0..len), or FS_NONE. */
uint32_t fs_lookup(const struct fs_tree *t, uint32_t dir, const char *name, size_t len);

/* fs_walk's flags. */
#define FS_WALK_FOLLOW    1u    /* follow a symlink in the last component */
#define FS_WALK_DIRECTORY 2u    /* the result must be a directory */

/*
 * Resolves path (NUL-terminated) from directory start (absolute paths
 * from the root).  Returns 0 with *out set, or -errno (Linux's numbers):
 * -ENOENT (a component is missing, or the path is empty), -ENOTDIR (a
 * component used as a directory is not one), -ELOOP (more than
 * FS_SYMLINK_MAX symlinks), -ENAMETOOLONG (a component longer than
 * FS_NAME_MAX).  A symlink in the middle of a path is always followed; in
 * the last component only with FS_WALK_FOLLOW or a trailing slash.  A
 * trailing slash also asks for a directory.  When only the last component
 * is missing, *parent is the directory that would hold it (else FS_NONE),
 * for open's O_CREAT.
 */
int fs_walk(const struct fs_tree *t, uint32_t start, const char *path, unsigned flags, uint32_t *out,
            uint32_t *parent);

/* The absolute path of node into buf[size] (NUL-terminated); its length,
 * or -ERANGE when it does not fit. */
long fs_path_of(const struct fs_tree *t, uint32_t node, char *buf, size_t size);

/*
 * Directory listing.  A position is 0 (".") , 1 (".."), 2 (the first
 * child), FS_DIR_END, or 3 + the index of a child.  fs_dir_entry gives the
 * entry at position pos (its node, and its name for "." and "..") and
 * the position after it; false at the end (or at a position that names
 * no child of dir).
 */
#define FS_DIR_END 0x7fffffffu
struct fs_dirent {
    uint32_t node;              /* the entry's node (dir itself for ".", its parent for "..") */
    const char *name;
    uint32_t namelen;
    uint64_t next;              /* the position after this entry */
};
bool fs_dir_entry(const struct fs_tree *t, uint32_t dir, uint64_t pos, struct fs_dirent *e);

/* d_type (DT_*) of a node: the file type bits of its mode, shifted. */
static inline unsigned fs_dtype(const struct fs_node *n)
{
    return (n->mode & FS_S_IFMT) >> 12;
}

#endif
