/* The kernel's file system: the initrd's tree and /dev (see fs.h). */
#include "fs.h"
#include "file.h"
#include "../mm/mm.h"
#include "../proc/proc.h"
#include "../syscall/uaccess.h"
#include <sysgate/abi.h>

struct fs_tree fs_tree;

/* The device nodes sysgate adds to /dev unless the initrd has them (with
 * Linux's device numbers, devices.txt): file.c opens them by number. */
static const struct {
    const char *path;
    uint32_t major, minor;
} devices[] = {
    { "dev/null", FILE_DEV_NULL }, { "dev/zero", FILE_DEV_ZERO },
    { "dev/tty", FILE_DEV_TTY },   { "dev/console", FILE_DEV_CONSOLE },
};

void fs_init(const void *archive, size_t size)
{
    /* The archive's nodes, the devices, and /dev itself. */
    uint32_t capacity = (archive ? fs_tree_capacity(archive, size) : 1) + ARRAY_SIZE(devices) + 1;
    struct fs_node *nodes = kmalloc(capacity * sizeof *nodes);
    if (!nodes)
        panic("fs: no memory for %u nodes", capacity);
    fs_tree_build(&fs_tree, nodes, capacity, archive, archive ? size : 0);
    for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
        if (fs_tree_add(&fs_tree, devices[i].path, FS_S_IFCHR | 0666, devices[i].major, devices[i].minor) ==
            FS_NONE)
            printk("fs: cannot add /%s\n", devices[i].path);
}

void fs_log_summary(void)
{
    unsigned files = 0, dirs = 0, links = 0, other = 0;
    for (uint32_t i = 0; i < fs_tree.count; i++)
        switch (fs_tree.nodes[i].mode & FS_S_IFMT) {
        case FS_S_IFREG: files++; break;
        case FS_S_IFDIR: dirs++; break;
        case FS_S_IFLNK: links++; break;
        default: other++; break;
        }
    printk("initrd: %u files, %u directories, %u symlinks, %u devices%s\n", files, dirs, links, other,
           fs_tree.malformed ? " (the archive ends in a malformed entry)" : "");
    if (fs_tree.skipped)
        printk("initrd: %u entries left out (a name with \"..\", a parent that is not a directory)\n",
               fs_tree.skipped);
}

int fs_resolve(struct proc *p, int dirfd, const char *path, unsigned walk_flags, bool empty_ok, uint32_t *out,
               uint32_t *parent)
{
    uint32_t start = p->cwd;
    if (parent)
        *parent = FS_NONE;
    if (path[0] != '/' && dirfd != FS_AT_FDCWD) {
        struct file *f = fd_get(p, dirfd);
        if (!f)
            return -SG_EBADF;
        start = f->node;
        if (!path[0] && empty_ok) {
            *out = start;
            return 0;
        }
        if (!fs_is_dir(fs_node(start)))
            return -SG_ENOTDIR;
    } else if (!path[0] && empty_ok) {
        *out = start;
        return 0;
    }
    return fs_walk(&fs_tree, start, path, walk_flags, out, parent);
}

long fs_copy_path(char *buf, uint64_t user_path)
{
    return strncpy_from_user(buf, user_path, FS_PATH_MAX);
}

int fs_exec_lookup(struct proc *caller, int dirfd, const char *path, bool nofollow, bool empty_ok,
                   const void **data, size_t *size)
{
    uint32_t n;
    unsigned walk = nofollow ? 0 : FS_WALK_FOLLOW;
    int r = caller ? fs_resolve(caller, dirfd, path, walk, empty_ok, &n, 0) : fs_walk(&fs_tree, FS_ROOT, path, walk, &n, 0);
    if (r)
        return r;
    /* execve(2): EACCES for anything but a regular file with an execute
     * permission bit (root needs only one of the three). */
    const struct fs_node *node = fs_node(n);
    if ((node->mode & FS_S_IFMT) == FS_S_IFLNK)
        return -SG_ELOOP;       /* AT_SYMLINK_NOFOLLOW found a symlink */
    if ((node->mode & FS_S_IFMT) != FS_S_IFREG || !(node->mode & 0111))
        return -SG_EACCES;
    *data = node->data;
    *size = node->size;
    return 0;
}
