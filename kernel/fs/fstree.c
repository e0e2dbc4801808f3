/* The initrd's tree of nodes and path resolution (see fstree.h). */
#include "fstree.h"
#include "../proc/cpio.h"
#include <common/string.h>
#include <sysgate/abi.h>

uint32_t fs_tree_capacity(const void *archive, size_t size)
{
    uint64_t n = 1;
    size_t off = 0;
    struct cpio_entry e;
    while (cpio_next(archive, size, &off, &e) == 1) {
        n++;
        for (size_t i = 0; i < e.namelen; i++)
            n += e.name[i] == '/';
    }
    return n > FS_NONE - 1 ? FS_NONE - 1 : (uint32_t)n;
}

uint32_t fs_lookup(const struct fs_tree *t, uint32_t dir, const char *name, size_t len)
{
    for (uint32_t c = t->nodes[dir].first_child; c != FS_NONE; c = t->nodes[c].next_sibling)
        if (t->nodes[c].namelen == len && !memcmp(t->nodes[c].name, name, len))
            return c;
    return FS_NONE;
}

/* A new node named name[0..len) at the end of parent's children. */
static uint32_t new_node(struct fs_tree *t, uint32_t parent, const char *name, size_t len)
{
    if (t->count == t->capacity)
        return FS_NONE;
    uint32_t i = t->count++;
    struct fs_node *n = &t->nodes[i];
    memset(n, 0, sizeof *n);
    n->name = name;
    n->namelen = (uint32_t)len;
    n->parent = parent;
    n->first_child = n->last_child = n->next_sibling = FS_NONE;
    n->mode = FS_S_IFDIR | 0755;
    n->nlink = 2;
    n->synthesized = true;
    if (i != parent) {
        struct fs_node *p = &t->nodes[parent];
        if (p->last_child == FS_NONE)
            p->first_child = i;
        else
            t->nodes[p->last_child].next_sibling = i;
        p->last_child = i;
    }
    return i;
}

/* The node for path[0..len), created (as an implied directory) where
 * missing; FS_NONE for a ".." component, an over-long name, a parent that
 * is not a directory, or no room. */
static uint32_t make_path(struct fs_tree *t, const char *path, size_t len)
{
    uint32_t cur = FS_ROOT;
    size_t pos = 0;
    for (;;) {
        while (pos < len && path[pos] == '/')
            pos++;
        if (pos == len)
            return cur;
        size_t end = pos;
        while (end < len && path[end] != '/')
            end++;
        const char *name = path + pos;
        size_t n = end - pos;
        pos = end;
        if (n == 1 && name[0] == '.')
            continue;
        if ((n == 2 && name[0] == '.' && name[1] == '.') || n > FS_NAME_MAX || !fs_is_dir(&t->nodes[cur]))
            return FS_NONE;
        uint32_t child = fs_lookup(t, cur, name, n);
        if (child == FS_NONE)
            child = new_node(t, cur, name, n);
        if (child == FS_NONE)
            return FS_NONE;
        cur = child;
    }
}

void fs_tree_build(struct fs_tree *t, struct fs_node *nodes, uint32_t capacity, const void *archive,
                   size_t size)
{
    memset(t, 0, sizeof *t);
    t->nodes = nodes;
    t->capacity = capacity;
    if (capacity == 0)
        return;
    new_node(t, FS_ROOT, "", 0);

    size_t off = 0;
    struct cpio_entry e;
    int r;
    uint32_t max_ino = 0;
    while ((r = cpio_next(archive, size, &off, &e)) == 1) {
        uint32_t i = make_path(t, e.name, e.namelen);
        struct fs_node *n = i == FS_NONE ? 0 : &t->nodes[i];
        /* A directory keeps its type: its children are in the tree. */
        if (!n || ((n->first_child != FS_NONE || i == FS_ROOT) && (e.mode & FS_S_IFMT) != FS_S_IFDIR)) {
            t->skipped++;
            continue;
        }
        n->mode = e.mode;
        n->ino = e.ino;
        n->uid = e.uid;
        n->gid = e.gid;
        n->nlink = e.nlink;
        n->mtime = e.mtime;
        n->rdev_major = e.rdev_major;
        n->rdev_minor = e.rdev_minor;
        n->data = e.data;
        n->size = e.size;
        n->synthesized = false;
        if (e.ino > max_ino)
            max_ino = e.ino;
    }
    t->malformed = r < 0;

    for (uint32_t i = 0; i < t->count; i++) {
        struct fs_node *n = &t->nodes[i];
        if (n->synthesized)
            n->ino = ++max_ino;
        /* cpio writes a hard-linked file's data with its last link only;
         * the others (size 0, same inode) share it. */
        if ((n->mode & FS_S_IFMT) == FS_S_IFREG && n->nlink > 1 && n->size == 0)
            for (uint32_t j = 0; j < t->count; j++) {
                struct fs_node *o = &t->nodes[j];
                if (j != i && o->ino == n->ino && (o->mode & FS_S_IFMT) == FS_S_IFREG && o->size) {
                    n->data = o->data;
                    n->size = o->size;
                    break;
                }
            }
    }
}

uint32_t fs_tree_add(struct fs_tree *t, const char *path, uint32_t mode, uint32_t rdev_major,
                     uint32_t rdev_minor)
{
    uint32_t before = t->count;
    uint32_t i = make_path(t, path, strlen(path));
    if (i == FS_NONE || i < before)
        return i;
    struct fs_node *n = &t->nodes[i];
    uint32_t max_ino = 0;
    for (uint32_t j = 0; j < t->count; j++)
        if (t->nodes[j].ino > max_ino)
            max_ino = t->nodes[j].ino;
    n->mode = mode;
    n->nlink = fs_is_dir(n) ? 2 : 1;
    n->rdev_major = rdev_major;
    n->rdev_minor = rdev_minor;
    n->ino = max_ino + 1;
    n->synthesized = false;
    return i;
}

/* A part of the path still to walk: the path itself, or a symlink's
 * target pushed on top of what remains of the path. */
struct segment {
    const char *p;
    size_t len;
};

static void skip_slashes(struct segment *s)
{
    while (s->len && *s->p == '/')
        s->p++, s->len--;
}

int fs_walk(const struct fs_tree *t, uint32_t start, const char *path, unsigned flags, uint32_t *out,
            uint32_t *parent)
{
    struct segment stack[FS_SYMLINK_MAX + 1];
    int depth = 1;
    unsigned links = 0;
    uint32_t cur = path[0] == '/' ? FS_ROOT : start;
    bool trailing_slash = false;

    *out = FS_NONE;
    if (parent)
        *parent = FS_NONE;
    stack[0].p = path;
    stack[0].len = strlen(path);
    if (stack[0].len == 0)
        return -SG_ENOENT;
    for (;;) {
        while (depth) {
            skip_slashes(&stack[depth - 1]);
            if (stack[depth - 1].len)
                break;
            depth--;
        }
        if (!depth)
            break;
        struct segment *s = &stack[depth - 1];
        size_t n = 0;
        while (n < s->len && s->p[n] != '/')
            n++;
        const char *name = s->p;
        s->p += n, s->len -= n;
        /* The last component: nothing but slashes after it, in this
         * segment and in those below. */
        bool slash_after = s->len != 0;
        bool last = true;
        for (int i = depth - 1; i >= 0 && last; i--) {
            skip_slashes(&stack[i]);
            last = stack[i].len == 0;
        }
        /* A trailing slash asks for a directory, also of a symlink's
         * target. */
        if (last && slash_after)
            trailing_slash = true;
        if (n > FS_NAME_MAX)
            return -SG_ENAMETOOLONG;
        if (!fs_is_dir(&t->nodes[cur]))
            return -SG_ENOTDIR;

        uint32_t next;
        if (n == 1 && name[0] == '.')
            next = cur;
        else if (n == 2 && name[0] == '.' && name[1] == '.')
            next = t->nodes[cur].parent;
        else
            next = fs_lookup(t, cur, name, n);
        if (next == FS_NONE) {
            if (last && parent)
                *parent = cur;
            return -SG_ENOENT;
        }
        const struct fs_node *nn = &t->nodes[next];
        if ((nn->mode & FS_S_IFMT) == FS_S_IFLNK && (!last || slash_after || (flags & FS_WALK_FOLLOW))) {
            if (++links > FS_SYMLINK_MAX)
                return -SG_ELOOP;
            if (nn->size == 0)
                return -SG_ENOENT;
            stack[depth].p = nn->data;
            stack[depth].len = nn->size;
            depth++;
            if (*(const char *)nn->data == '/')
                cur = FS_ROOT;
            continue;
        }
        cur = next;
        if (last)
            break;
    }
    if ((trailing_slash || (flags & FS_WALK_DIRECTORY)) && !fs_is_dir(&t->nodes[cur]))
        return -SG_ENOTDIR;
    *out = cur;
    return 0;
}

long fs_path_of(const struct fs_tree *t, uint32_t node, char *buf, size_t size)
{
    /* Written backwards from the end of buf, then moved to its start. */
    size_t pos = size;
    if (pos == 0)
        return -SG_ERANGE;
    buf[--pos] = 0;
    for (uint32_t n = node; n != FS_ROOT; n = t->nodes[n].parent) {
        const struct fs_node *nn = &t->nodes[n];
        if (pos < nn->namelen + 1)
            return -SG_ERANGE;
        pos -= nn->namelen;
        memcpy(buf + pos, nn->name, nn->namelen);
        buf[--pos] = '/';
    }
    if (node == FS_ROOT) {
        if (pos == 0)
            return -SG_ERANGE;
        buf[--pos] = '/';
    }
    size_t len = size - 1 - pos;
    memmove(buf, buf + pos, len + 1);
    return (long)len;
}

bool fs_dir_entry(const struct fs_tree *t, uint32_t dir, uint64_t pos, struct fs_dirent *e)
{
    uint32_t child;
    if (pos == 0 || pos == 1) {
        e->node = pos == 0 ? dir : t->nodes[dir].parent;
        e->name = "..";
        e->namelen = (uint32_t)pos + 1;
        e->next = pos + 1;
        return true;
    }
    if (pos == 2)
        child = t->nodes[dir].first_child;
    else if (pos - 3 < t->count && pos - 3 != FS_ROOT && t->nodes[pos - 3].parent == dir)
        child = (uint32_t)(pos - 3);
    else
        return false;
    if (child == FS_NONE)
        return false;
    const struct fs_node *n = &t->nodes[child];
    e->node = child;
    e->name = n->name;
    e->namelen = n->namelen;
    e->next = n->next_sibling == FS_NONE ? FS_DIR_END : (uint64_t)n->next_sibling + 3;
    return true;
}
