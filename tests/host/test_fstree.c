/*
 * kernel/fs/fstree.c: the initrd's tree built from newc archives (arc.h),
 * path resolution as path_resolution(7) describes it, absolute paths of
 * nodes (getcwd) and directory listing positions (getdents).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arc.h"
#include <sysgate/abi.h>
#include "kernel/fs/fstree.h"
#include "suites.h"

/* A tree with its archive and nodes, all malloc'd at exactly their sizes. */
struct built {
    struct fs_tree t;
    uint8_t *archive;
    struct fs_node *nodes;
};

static void build(struct built *b, struct arc *a, uint32_t extra)
{
    b->archive = arc_take(a, a->len);
    uint32_t cap = fs_tree_capacity(b->archive, a->len) + extra;
    b->nodes = malloc(cap * sizeof *b->nodes);
    ck_assert_ptr_nonnull(b->nodes);
    fs_tree_build(&b->t, b->nodes, cap, b->archive, a->len);
    arc_free(a);
}

static void unbuild(struct built *b)
{
    free(b->archive);
    free(b->nodes);
}

/* The fixture most cases use:
 *   /            (".")
 *   /bin/init    an executable
 *   /bin/sh      -> init
 *   /etc/motd    "welcome"
 *   /etc/abs     -> /etc/motd
 *   /etc/up      -> ../bin
 *   /etc/dangle  -> nowhere
 *   /etc/self    -> self
 *   /etc/dirlink -> /etc/
 *   /lib/a/b/c   a file in implied directories
 */
static void sample(struct built *b)
{
    struct arc a = { 0 };
    arc_dir(&a, ".");
    arc_dir(&a, "./bin");
    arc_entry(&a, "./bin/init", M_EXE, "\177ELF", 4);
    arc_entry(&a, "./bin/sh", M_LNK, "init", 4);
    arc_dir(&a, "./etc");
    arc_file(&a, "./etc/motd", "welcome");
    arc_entry(&a, "./etc/abs", M_LNK, "/etc/motd", 9);
    arc_entry(&a, "./etc/up", M_LNK, "../bin", 6);
    arc_entry(&a, "./etc/dangle", M_LNK, "nowhere", 7);
    arc_entry(&a, "./etc/self", M_LNK, "self", 4);
    arc_entry(&a, "./etc/dirlink", M_LNK, "/etc/", 5);
    arc_file(&a, "./lib/a/b/c", "deep");
    arc_trailer(&a);
    build(b, &a, 0);
}

static uint32_t must_walk(const struct fs_tree *t, uint32_t start, const char *path, unsigned flags)
{
    uint32_t n;
    int r = fs_walk(t, start, path, flags, &n, NULL);
    ck_assert_msg(r == 0, "walking '%s' gave %d", path, r);
    return n;
}

static int walk_err(const struct fs_tree *t, uint32_t start, const char *path, unsigned flags)
{
    uint32_t n;
    int r = fs_walk(t, start, path, flags, &n, NULL);
    if (r)
        ck_assert_uint_eq(n, FS_NONE);
    return r;
}

static bool named(const struct fs_tree *t, uint32_t n, const char *name)
{
    return t->nodes[n].namelen == strlen(name) && !memcmp(t->nodes[n].name, name, strlen(name));
}

/* ---- building ---------------------------------------------------------------- */

START_TEST(build_sample)
{
    struct built b;
    sample(&b);
    struct fs_tree *t = &b.t;
    ck_assert(!t->malformed);
    ck_assert_uint_eq(t->skipped, 0);
    /* root, bin, init, sh, etc, 6 in etc, lib, a, b, c */
    ck_assert_uint_eq(t->count, 15);
    ck_assert(fs_is_dir(&t->nodes[FS_ROOT]));
    ck_assert(!t->nodes[FS_ROOT].synthesized);
    ck_assert_uint_eq(t->nodes[FS_ROOT].parent, FS_ROOT);

    uint32_t init = must_walk(t, FS_ROOT, "/bin/init", 0);
    ck_assert_uint_eq(t->nodes[init].mode, M_EXE);
    ck_assert_uint_eq(t->nodes[init].size, 4);
    ck_assert_mem_eq(t->nodes[init].data, "\177ELF", 4);
    ck_assert_uint_eq(t->nodes[init].mtime, 0x5f000000u);
    ck_assert_uint_eq(fs_dtype(&t->nodes[init]), 8);     /* DT_REG */

    uint32_t c = must_walk(t, FS_ROOT, "/lib/a/b/c", 0);
    ck_assert_mem_eq(t->nodes[c].data, "deep", 4);
    /* The implied directories: mode 0755, inode numbers above the
     * archive's, each different. */
    uint32_t lib = must_walk(t, FS_ROOT, "lib", 0), a = t->nodes[t->nodes[c].parent].parent;
    ck_assert(t->nodes[lib].synthesized && t->nodes[a].synthesized);
    ck_assert_uint_eq(t->nodes[lib].mode, FS_S_IFDIR | 0755);
    ck_assert_uint_eq(t->nodes[lib].mtime, 0);
    for (uint32_t i = 0; i < t->count; i++)
        for (uint32_t j = i + 1; j < t->count; j++)
            ck_assert_msg(t->nodes[i].ino != t->nodes[j].ino, "nodes %u and %u share inode %u", i, j,
                          t->nodes[i].ino);
    ck_assert_uint_gt(t->nodes[lib].ino, t->nodes[c].ino);
    unbuild(&b);
}
END_TEST

START_TEST(build_children_in_archive_order)
{
    struct built b;
    sample(&b);
    uint32_t etc = must_walk(&b.t, FS_ROOT, "/etc", 0);
    static const char *const want[] = { "motd", "abs", "up", "dangle", "self", "dirlink" };
    uint32_t n = b.t.nodes[etc].first_child;
    for (int i = 0; i < 6; i++, n = b.t.nodes[n].next_sibling) {
        ck_assert_uint_ne(n, FS_NONE);
        ck_assert_msg(named(&b.t, n, want[i]), "child %d", i);
        ck_assert_uint_eq(b.t.nodes[n].parent, etc);
    }
    ck_assert_uint_eq(n, FS_NONE);
    unbuild(&b);
}
END_TEST

START_TEST(build_later_entry_replaces)
{
    struct arc a = { 0 };
    arc_file(&a, "d/f", "one");
    arc_dir(&a, "d");               /* the directory's own entry after its child */
    arc_file(&a, "x", "first");
    arc_file(&a, "x", "second");
    arc_file(&a, "d", "not a dir"); /* would turn a directory with children into a file */
    arc_trailer(&a);
    struct built b;
    build(&b, &a, 0);
    uint32_t d = must_walk(&b.t, FS_ROOT, "d", 0);
    ck_assert(!b.t.nodes[d].synthesized);
    ck_assert(fs_is_dir(&b.t.nodes[d]));
    ck_assert_uint_ne(b.t.nodes[d].ino, 0);
    must_walk(&b.t, FS_ROOT, "d/f", 0);
    uint32_t x = must_walk(&b.t, FS_ROOT, "x", 0);
    ck_assert_uint_eq(b.t.nodes[x].size, 6);
    ck_assert_mem_eq(b.t.nodes[x].data, "second", 6);
    ck_assert_uint_eq(b.t.skipped, 1);
    ck_assert_uint_eq(b.t.count, 4);
    unbuild(&b);
}
END_TEST

START_TEST(build_skips_hostile_names)
{
    struct arc a = { 0 };
    char longname[300];
    memset(longname, 'n', 256);
    longname[256] = 0;
    arc_file(&a, "../escape", "x");
    arc_file(&a, "a/../../b", "x");
    arc_file(&a, "f", "file");
    arc_file(&a, "f/inside", "x");      /* a parent that is not a directory */
    arc_file(&a, longname, "x");
    arc_file(&a, "./././g", "g");
    arc_file(&a, "//h//", "h");
    arc_file(&a, ".", "root as a file");
    arc_trailer(&a);
    struct built b;
    build(&b, &a, 0);
    ck_assert_uint_eq(b.t.skipped, 5);
    must_walk(&b.t, FS_ROOT, "g", 0);
    must_walk(&b.t, FS_ROOT, "h", 0);
    ck_assert(fs_is_dir(&b.t.nodes[FS_ROOT]));
    ck_assert_int_eq(walk_err(&b.t, FS_ROOT, "escape", 0), -SG_ENOENT);
    unbuild(&b);
}
END_TEST

START_TEST(build_no_room)
{
    /* Every capacity from 0 up: no write past the node array (ASan), the
     * entries that did not fit counted. */
    for (uint32_t cap = 0; cap < 16; cap++) {
        struct arc a = { 0 };
        arc_file(&a, "a/b/c", "x");
        arc_file(&a, "d", "y");
        arc_file(&a, "e/f", "z");
        arc_trailer(&a);
        uint8_t *ar = arc_take(&a, a.len);
        struct fs_node *nodes = malloc((cap ? cap : 1) * sizeof *nodes);
        struct fs_tree t;
        fs_tree_build(&t, nodes, cap, ar, a.len);
        ck_assert_uint_le(t.count, cap);
        if (cap >= 7)
            ck_assert_uint_eq(t.skipped, 0);
        else if (cap > 0)
            ck_assert_uint_gt(t.skipped, 0);
        free(nodes);
        free(ar);
        arc_free(&a);
    }
}
END_TEST

START_TEST(build_malformed_keeps_good_entries)
{
    struct arc a = { 0 };
    arc_file(&a, "good", "yes");
    arc_entry_raw(&a, "070702", M_REG, 0, 4, "bad", 4, NULL, 0, 0);
    arc_trailer(&a);
    struct built b;
    build(&b, &a, 0);
    ck_assert(b.t.malformed);
    must_walk(&b.t, FS_ROOT, "good", 0);
    ck_assert_uint_eq(b.t.count, 2);
    unbuild(&b);
}
END_TEST

START_TEST(build_metadata)
{
    struct arc a = { 0 };
    arc_next.uid = 1000;
    arc_next.gid = 100;
    arc_next.mtime = 1700000000;
    arc_next.rdev_major = 1;
    arc_next.rdev_minor = 3;
    arc_next.ino = 7;
    arc_entry(&a, "dev/null", M_CHR, NULL, 0);
    arc_next = (struct arc_meta){ .ino = 100, .nlink = 1, .mtime = 0x5f000000u };
    arc_trailer(&a);
    struct built b;
    build(&b, &a, 0);
    const struct fs_node *n = &b.t.nodes[must_walk(&b.t, FS_ROOT, "/dev/null", 0)];
    ck_assert_uint_eq(n->mode, M_CHR);
    ck_assert_uint_eq(n->uid, 1000);
    ck_assert_uint_eq(n->gid, 100);
    ck_assert_uint_eq(n->mtime, 1700000000);
    ck_assert_uint_eq(n->rdev_major, 1);
    ck_assert_uint_eq(n->rdev_minor, 3);
    ck_assert_uint_eq(n->ino, 7);
    ck_assert_uint_eq(fs_dtype(n), 2);      /* DT_CHR */
    unbuild(&b);
}
END_TEST

START_TEST(build_hard_links)
{
    /* cpio -H newc writes a hard-linked file's data with its last link. */
    struct arc a = { 0 };
    arc_next.nlink = 2;
    arc_next.ino = 50;
    arc_entry(&a, "first", M_REG, NULL, 0);
    arc_next.ino = 50;
    arc_entry(&a, "second", M_REG, "shared", 6);
    arc_next.nlink = 1;
    arc_next.ino = 51;
    arc_entry(&a, "empty", M_REG, NULL, 0);
    arc_next = (struct arc_meta){ .ino = 100, .nlink = 1, .mtime = 0x5f000000u };
    arc_trailer(&a);
    struct built b;
    build(&b, &a, 0);
    const struct fs_node *f = &b.t.nodes[must_walk(&b.t, FS_ROOT, "first", 0)];
    ck_assert_uint_eq(f->size, 6);
    ck_assert_mem_eq(f->data, "shared", 6);
    ck_assert_uint_eq(b.t.nodes[must_walk(&b.t, FS_ROOT, "empty", 0)].size, 0);
    unbuild(&b);
}
END_TEST

START_TEST(add_device_nodes)
{
    /* No room: a root and one file fill the capacity. */
    struct built b;
    struct arc a = { 0 };
    arc_file(&a, "a", "x");
    arc_trailer(&a);
    build(&b, &a, 0);
    ck_assert_uint_eq(fs_tree_add(&b.t, "dev/null", FS_S_IFCHR | 0666, 1, 3), FS_NONE);
    unbuild(&b);

    arc_file(&a, "etc/motd", "hi");
    arc_trailer(&a);
    build(&b, &a, 4);
    uint32_t null = fs_tree_add(&b.t, "dev/null", FS_S_IFCHR | 0666, 1, 3);
    ck_assert_uint_ne(null, FS_NONE);
    ck_assert_uint_eq(must_walk(&b.t, FS_ROOT, "/dev/null", 0), null);
    ck_assert_uint_eq(b.t.nodes[null].rdev_minor, 3);
    ck_assert(fs_is_dir(&b.t.nodes[must_walk(&b.t, FS_ROOT, "/dev", 0)]));
    /* An existing node stays as it is. */
    uint32_t motd = must_walk(&b.t, FS_ROOT, "/etc/motd", 0);
    ck_assert_uint_eq(fs_tree_add(&b.t, "etc/motd", FS_S_IFCHR | 0666, 1, 5), motd);
    ck_assert_uint_eq(b.t.nodes[motd].mode, M_REG);
    /* A parent that is not a directory. */
    ck_assert_uint_eq(fs_tree_add(&b.t, "etc/motd/x", FS_S_IFCHR | 0666, 1, 5), FS_NONE);
    /* Inode numbers stay unique. */
    uint32_t zero = fs_tree_add(&b.t, "dev/zero", FS_S_IFCHR | 0666, 1, 5);
    ck_assert_uint_ne(b.t.nodes[zero].ino, b.t.nodes[null].ino);
    unbuild(&b);
}
END_TEST

/* ---- walking ----------------------------------------------------------------- */

START_TEST(walk_forms)
{
    struct built b;
    sample(&b);
    struct fs_tree *t = &b.t;
    uint32_t init = must_walk(t, FS_ROOT, "/bin/init", 0);
    uint32_t bin = must_walk(t, FS_ROOT, "/bin", 0);
    uint32_t etc = must_walk(t, FS_ROOT, "/etc", 0);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "bin/init", 0), init);
    ck_assert_uint_eq(must_walk(t, bin, "init", 0), init);
    ck_assert_uint_eq(must_walk(t, etc, "/bin/init", 0), init);     /* absolute ignores start */
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "//bin///init", 0), init);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "./bin/./init", 0), init);
    ck_assert_uint_eq(must_walk(t, etc, "../bin/init", 0), init);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/../../bin/init", 0), init);   /* the root's .. is the root */
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/", 0), FS_ROOT);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "///", 0), FS_ROOT);
    ck_assert_uint_eq(must_walk(t, bin, ".", 0), bin);
    ck_assert_uint_eq(must_walk(t, bin, "..", 0), FS_ROOT);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/bin/", 0), bin);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/bin/.", FS_WALK_DIRECTORY), bin);
    unbuild(&b);
}
END_TEST

START_TEST(walk_errors)
{
    struct built b;
    sample(&b);
    struct fs_tree *t = &b.t;
    uint32_t n, parent;
    ck_assert_int_eq(walk_err(t, FS_ROOT, "", 0), -SG_ENOENT);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/nope", 0), -SG_ENOENT);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/bin/init/", 0), -SG_ENOTDIR);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/bin/init/.", 0), -SG_ENOTDIR);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/bin/init/..", 0), -SG_ENOTDIR);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/bin/init/x", 0), -SG_ENOTDIR);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/bin/init", FS_WALK_DIRECTORY), -SG_ENOTDIR);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/nope/x", 0), -SG_ENOENT);

    /* The parent of a missing last component (O_CREAT's question). */
    ck_assert_int_eq(fs_walk(t, FS_ROOT, "/etc/new", 0, &n, &parent), -SG_ENOENT);
    ck_assert_uint_eq(parent, must_walk(t, FS_ROOT, "/etc", 0));
    ck_assert_int_eq(fs_walk(t, FS_ROOT, "/etc/new/", 0, &n, &parent), -SG_ENOENT);
    ck_assert_uint_eq(parent, must_walk(t, FS_ROOT, "/etc", 0));
    ck_assert_int_eq(fs_walk(t, FS_ROOT, "/nope/new", 0, &n, &parent), -SG_ENOENT);
    ck_assert_uint_eq(parent, FS_NONE);
    ck_assert_int_eq(fs_walk(t, FS_ROOT, "/etc/dangle", FS_WALK_FOLLOW, &n, &parent), -SG_ENOENT);
    ck_assert_uint_eq(parent, must_walk(t, FS_ROOT, "/etc", 0));

    /* Names: 255 characters may be looked up, 256 are too long. */
    char name[300] = "/";
    memset(name + 1, 'x', 255);
    ck_assert_int_eq(walk_err(t, FS_ROOT, name, 0), -SG_ENOENT);
    name[256] = 'x';
    ck_assert_int_eq(walk_err(t, FS_ROOT, name, 0), -SG_ENAMETOOLONG);
    unbuild(&b);
}
END_TEST

START_TEST(walk_symlinks)
{
    struct built b;
    sample(&b);
    struct fs_tree *t = &b.t;
    uint32_t init = must_walk(t, FS_ROOT, "/bin/init", 0);
    uint32_t sh = must_walk(t, FS_ROOT, "/bin/sh", 0);
    uint32_t bin = must_walk(t, FS_ROOT, "/bin", 0);
    uint32_t etc = must_walk(t, FS_ROOT, "/etc", 0);
    uint32_t motd = must_walk(t, FS_ROOT, "/etc/motd", 0);
    ck_assert_uint_ne(sh, init);
    ck_assert_uint_eq(t->nodes[sh].mode & FS_S_IFMT, FS_S_IFLNK);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/bin/sh", FS_WALK_FOLLOW), init);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/abs", FS_WALK_FOLLOW), motd);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/up", FS_WALK_FOLLOW), bin);
    /* In the middle of a path a symlink is always followed. */
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/up/init", 0), init);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/up/sh", FS_WALK_FOLLOW), init);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/dirlink/dirlink/motd", 0), motd);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/up/../etc", 0), etc);    /* .. of the target */
    /* A trailing slash follows, and wants a directory. */
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/up/", 0), bin);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/dirlink", 0), must_walk(t, FS_ROOT, "/etc/dirlink", 0));
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/dirlink/", 0), etc);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/bin/sh/", 0), -SG_ENOTDIR);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/etc/up", FS_WALK_DIRECTORY), -SG_ENOTDIR);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/etc/up", FS_WALK_DIRECTORY | FS_WALK_FOLLOW), bin);
    /* Dangling and looping. */
    ck_assert_uint_eq(t->nodes[must_walk(t, FS_ROOT, "/etc/dangle", 0)].mode & FS_S_IFMT, FS_S_IFLNK);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/etc/dangle", FS_WALK_FOLLOW), -SG_ENOENT);
    ck_assert_uint_eq(t->nodes[must_walk(t, FS_ROOT, "/etc/self", 0)].mode & FS_S_IFMT, FS_S_IFLNK);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/etc/self", FS_WALK_FOLLOW), -SG_ELOOP);
    ck_assert_int_eq(walk_err(t, FS_ROOT, "/etc/self/x", 0), -SG_ELOOP);
    unbuild(&b);
}
END_TEST

/* A chain l0 -> l1 -> ... -> lN -> target: 40 symlinks resolve, 41 are
 * -ELOOP (Linux's MAXSYMLINKS). */
START_TEST(walk_symlink_limit)
{
    struct arc a = { 0 };
    char name[16], target[16];
    for (int i = 0; i < 41; i++) {
        snprintf(name, sizeof name, "l%d", i);
        snprintf(target, sizeof target, "l%d", i + 1);
        arc_entry(&a, name, M_LNK, target, strlen(target));
    }
    arc_file(&a, "l41", "end");
    arc_entry(&a, "empty", M_LNK, NULL, 0);
    arc_trailer(&a);
    struct built b;
    build(&b, &a, 0);
    uint32_t end = must_walk(&b.t, FS_ROOT, "l41", 0);
    ck_assert_uint_eq(must_walk(&b.t, FS_ROOT, "l1", FS_WALK_FOLLOW), end);     /* 40 links */
    ck_assert_int_eq(walk_err(&b.t, FS_ROOT, "l0", FS_WALK_FOLLOW), -SG_ELOOP); /* 41 */
    ck_assert_int_eq(walk_err(&b.t, FS_ROOT, "empty", FS_WALK_FOLLOW), -SG_ENOENT);
    unbuild(&b);
}
END_TEST

/* ---- absolute paths and listings ---------------------------------------------- */

START_TEST(path_of)
{
    struct built b;
    sample(&b);
    char buf[64];
    ck_assert_int_eq(fs_path_of(&b.t, FS_ROOT, buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "/");
    uint32_t c = must_walk(&b.t, FS_ROOT, "/lib/a/b/c", 0);
    ck_assert_int_eq(fs_path_of(&b.t, c, buf, sizeof buf), 10);
    ck_assert_str_eq(buf, "/lib/a/b/c");
    /* Exactly big enough, one byte short, nothing at all. */
    ck_assert_int_eq(fs_path_of(&b.t, c, buf, 11), 10);
    ck_assert_str_eq(buf, "/lib/a/b/c");
    ck_assert_int_eq(fs_path_of(&b.t, c, buf, 10), -SG_ERANGE);
    ck_assert_int_eq(fs_path_of(&b.t, FS_ROOT, buf, 2), 1);
    ck_assert_int_eq(fs_path_of(&b.t, FS_ROOT, buf, 1), -SG_ERANGE);
    ck_assert_int_eq(fs_path_of(&b.t, FS_ROOT, buf, 0), -SG_ERANGE);
    unbuild(&b);
}
END_TEST

START_TEST(dir_listing)
{
    struct built b;
    sample(&b);
    struct fs_tree *t = &b.t;
    uint32_t etc = must_walk(t, FS_ROOT, "/etc", 0);
    static const char *const want[] = { ".", "..", "motd", "abs", "up", "dangle", "self", "dirlink" };
    struct fs_dirent e;
    uint64_t pos = 0, positions[8];
    for (int i = 0; i < 8; i++) {
        positions[i] = pos;
        ck_assert_msg(fs_dir_entry(t, etc, pos, &e), "entry %d", i);
        ck_assert_uint_eq(e.namelen, strlen(want[i]));
        ck_assert_mem_eq(e.name, want[i], e.namelen);
        ck_assert_uint_gt(e.next, pos == 2 ? 0 : pos);
        pos = e.next;
    }
    ck_assert_uint_eq(pos, FS_DIR_END);
    ck_assert(!fs_dir_entry(t, etc, pos, &e));
    /* . and .. name the directory and its parent. */
    ck_assert(fs_dir_entry(t, etc, 0, &e));
    ck_assert_uint_eq(e.node, etc);
    ck_assert(fs_dir_entry(t, etc, 1, &e));
    ck_assert_uint_eq(e.node, FS_ROOT);
    ck_assert(fs_dir_entry(t, FS_ROOT, 1, &e));
    ck_assert_uint_eq(e.node, FS_ROOT);
    /* Resuming at a position a listing gave continues from there. */
    ck_assert(fs_dir_entry(t, etc, positions[5], &e));
    ck_assert_mem_eq(e.name, "dangle", 6);
    /* Positions that name no child of this directory end the listing. */
    uint32_t init = must_walk(t, FS_ROOT, "/bin/init", 0);
    ck_assert(!fs_dir_entry(t, etc, init + 3, &e));
    ck_assert(!fs_dir_entry(t, FS_ROOT, 3 + FS_ROOT, &e));
    ck_assert(!fs_dir_entry(t, etc, 1000000, &e));
    ck_assert(!fs_dir_entry(t, etc, ~0ull, &e));
    /* An empty directory: . and .. only. */
    uint32_t b2 = must_walk(t, FS_ROOT, "/lib/a/b", 0);
    ck_assert(fs_dir_entry(t, b2, 2, &e));      /* b holds c */
    ck_assert(named(t, e.node, "c"));
    ck_assert_uint_eq(e.next, FS_DIR_END);
    /* A directory whose only child is a directory; that one's only child. */
    ck_assert(fs_dir_entry(t, must_walk(t, FS_ROOT, "/lib/a", 0), 2, &e));
    ck_assert(named(t, e.node, "b"));
    unbuild(&b);
}
END_TEST

START_TEST(capacity_bound)
{
    struct arc a = { 0 };
    arc_file(&a, "a/b/c/d", "x");
    arc_file(&a, "./e", "y");
    arc_trailer(&a);
    uint8_t *ar = arc_take(&a, a.len);
    /* the root, 2 entries, 3 slashes ("./" is no part of the name) */
    ck_assert_uint_eq(fs_tree_capacity(ar, a.len), 6);
    ck_assert_uint_eq(fs_tree_capacity(ar, 0), 1);
    free(ar);
    arc_free(&a);
}
END_TEST

/* An archive the real tool writes, with the Makefile's options, from a
 * directory with a symlink, a hard link and an empty directory. */
START_TEST(real_cpio_tree)
{
    char dir[] = "/tmp/sysgate-fstree-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && mkdir -p root/bin root/empty && printf 'abc' > root/bin/prog && chmod 0751 root/bin/prog "
             "&& ln root/bin/prog root/bin/hard && ln -s prog root/bin/soft && ln -s ../bin root/empty/up && "
             "cd root && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 --renumber-inodes --ignore-devno "
             "> ../initrd.cpio",
             dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/initrd.cpio", dir);
    struct built b;
    size_t size;
    b.archive = arc_read_file(cmd, &size);
    uint32_t cap = fs_tree_capacity(b.archive, size);
    b.nodes = malloc(cap * sizeof *b.nodes);
    fs_tree_build(&b.t, b.nodes, cap, b.archive, size);
    struct fs_tree *t = &b.t;
    ck_assert(!t->malformed);
    ck_assert_uint_eq(t->skipped, 0);
    ck_assert_uint_eq(t->count, 7);     /* . bin hard prog soft empty up */
    ck_assert(!t->nodes[FS_ROOT].synthesized);
    const struct fs_node *prog = &t->nodes[must_walk(t, FS_ROOT, "/bin/prog", 0)];
    const struct fs_node *hard = &t->nodes[must_walk(t, FS_ROOT, "/bin/hard", 0)];
    ck_assert_uint_eq(prog->mode, FS_S_IFREG | 0751);
    ck_assert_uint_eq(prog->uid, 0);
    ck_assert_uint_eq(prog->nlink, 2);
    /* Hard links: one inode, and the data reaches both names. */
    ck_assert_uint_eq(hard->ino, prog->ino);
    ck_assert_uint_eq(hard->size, 3);
    ck_assert_uint_eq(prog->size, 3);
    ck_assert_mem_eq(hard->data, "abc", 3);
    ck_assert_mem_eq(prog->data, "abc", 3);
    const struct fs_node *soft = &t->nodes[must_walk(t, FS_ROOT, "/bin/soft", 0)];
    ck_assert_uint_eq(soft->mode & FS_S_IFMT, FS_S_IFLNK);
    ck_assert_uint_eq(soft->size, 4);
    ck_assert_mem_eq(soft->data, "prog", 4);
    ck_assert_uint_eq(must_walk(t, FS_ROOT, "/empty/up/soft", FS_WALK_FOLLOW), must_walk(t, FS_ROOT, "/bin/prog", 0));
    /* Renumbered inodes: small, and different but for the hard link. */
    ck_assert_uint_le(t->nodes[FS_ROOT].ino, 10);
    ck_assert_uint_ne(t->nodes[FS_ROOT].ino, soft->ino);
    unbuild(&b);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *fstree_suite(void)
{
    Suite *s = suite_create("fstree");
    TCase *tc = tcase_create("build");
    tcase_add_test(tc, build_sample);
    tcase_add_test(tc, build_children_in_archive_order);
    tcase_add_test(tc, build_later_entry_replaces);
    tcase_add_test(tc, build_skips_hostile_names);
    tcase_add_test(tc, build_no_room);
    tcase_add_test(tc, build_malformed_keeps_good_entries);
    tcase_add_test(tc, build_metadata);
    tcase_add_test(tc, build_hard_links);
    tcase_add_test(tc, add_device_nodes);
    tcase_add_test(tc, capacity_bound);
    suite_add_tcase(s, tc);

    tc = tcase_create("walk");
    tcase_add_test(tc, walk_forms);
    tcase_add_test(tc, walk_errors);
    tcase_add_test(tc, walk_symlinks);
    tcase_add_test(tc, walk_symlink_limit);
    suite_add_tcase(s, tc);

    tc = tcase_create("list");
    tcase_add_test(tc, path_of);
    tcase_add_test(tc, dir_listing);
    suite_add_tcase(s, tc);

    if (arc_have_cpio()) {
        tc = tcase_create("cpio_tool");
        tcase_add_test(tc, real_cpio_tree);
        suite_add_tcase(s, tc);
    } else {
        fprintf(stderr, "fstree: the cpio tool is not installed; skipping the cpio_tool case\n");
    }
    return s;
}
