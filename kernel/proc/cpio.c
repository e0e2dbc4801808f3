/* Reading a newc cpio archive entry by entry (cpio.h). */
#include "cpio.h"
#include "../../lib/string.h"

#define NEWC_HEADER 110

static bool hex_field(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return false;
    }
    *out = v;
    return true;
}

static const char *strip_prefix(const char *name, size_t *len)
{
    while (*len && (name[0] == '/' || (name[0] == '.' && *len > 1 && name[1] == '/'))) {
        size_t skip = name[0] == '/' ? 1 : 2;
        name += skip;
        *len -= skip;
    }
    return name;
}

int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *e)
{
    const char *base = archive;
    size_t off = *offset;
    uint32_t field[13];

    if (off >= size)
        return 0;
    if (size - off < NEWC_HEADER || memcmp(base + off, "070701", 6))
        return -1;
    /* Thirteen 8-digit fields after the magic: ino mode uid gid nlink
     * mtime filesize devmajor devminor rdevmajor rdevminor namesize check. */
    const char *h = base + off;
    for (int i = 0; i < 13; i++)
        if (!hex_field(h + 6 + 8 * i, &field[i]))
            return -1;
    uint32_t filesize = field[6], namesize = field[11];
    if (namesize == 0 || namesize > size - off - NEWC_HEADER)
        return -1;
    const char *name = h + NEWC_HEADER;
    if (name[namesize - 1] != '\0')
        return -1;
    size_t data_off = (off + NEWC_HEADER + namesize + 3) & ~(size_t)3;
    if (data_off > size || filesize > size - data_off)
        return -1;
    size_t len = namesize - 1;
    if (len == 10 && !memcmp(name, "TRAILER!!!", 10))
        return 0;
    e->name = strip_prefix(name, &len);
    e->namelen = len;
    e->data = base + data_off;
    e->size = filesize;
    e->ino = field[0];
    e->mode = field[1];
    e->uid = field[2];
    e->gid = field[3];
    e->nlink = field[4];
    e->mtime = field[5];
    e->dev_major = field[7];
    e->dev_minor = field[8];
    e->rdev_major = field[9];
    e->rdev_minor = field[10];
    *offset = (data_off + filesize + 3) & ~(size_t)3;
    return 1;
}

bool cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *e)
{
    size_t plen = strlen(path);
    const char *want = strip_prefix(path, &plen);
    size_t off = 0;
    while (cpio_next(archive, size, &off, e) == 1)
        if (e->namelen == plen && !memcmp(e->name, want, plen) && (e->mode & 0170000) == 0100000)
            return true;
    return false;
}
