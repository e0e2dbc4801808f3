/*
 * The kernel command line: finding a key's value, splitting lists, and the
 * first program's arguments after `--`.  Pure: tested on the host.
 */
#include "cmdline.h"
#include <common/string.h>

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The end of the word at p (a space, a tab or the NUL), honouring quotes. */
static const char *word_end(const char *p)
{
    bool quoted = false;
    while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
        if (*p == '"')
            quoted = !quoted;
        p++;
    }
    return p;
}

static bool is_dashdash(const char *word, const char *end)
{
    return end - word == 2 && word[0] == '-' && word[1] == '-';
}

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    bool found = false;
    const char *p = skip_spaces(cmdline);

    while (*p) {
        const char *word = p;
        const char *end = p = word_end(p);
        /* Linux: the words after `--` are init's, not the kernel's. */
        if (is_dashdash(word, end))
            break;
        if ((size_t)(end - word) >= klen && !strncmp(word, key, klen) &&
            (word + klen == end || word[klen] == '=')) {
            found = true;
            const char *v = word + klen + (word + klen < end);
            size_t n = 0;
            for (; v < end; v++) {
                if (*v == '"')
                    continue;
                if (size && n + 1 < size)
                    out[n++] = *v;
            }
            if (size)
                out[n] = '\0';
        }
        p = skip_spaces(p);
    }
    return found;
}

int cmdline_split_list(char *list, char **items, int max)
{
    int n = 0;
    char *p = list;
    while (*p && n < max) {
        char *start = p;
        while (*p && *p != ',')
            p++;
        if (*p)
            *p++ = '\0';
        if (*start)
            items[n++] = start;
    }
    return n;
}

int cmdline_init_args(const char *cmdline, char *buf, size_t size, char **items, int max)
{
    const char *p = skip_spaces(cmdline);
    while (*p) {
        const char *word = p;
        const char *end = p = word_end(p);
        p = skip_spaces(p);
        if (is_dashdash(word, end))
            break;
    }
    int n = 0;
    size_t used = 0;
    while (*p && n < max) {
        const char *word = p;
        const char *end = p = word_end(p);
        p = skip_spaces(p);
        size_t len = 0;
        for (const char *c = word; c < end; c++)
            len += *c != '"';
        if (used + len + 1 > size)
            break;
        items[n++] = buf + used;
        for (const char *c = word; c < end; c++)
            if (*c != '"')
                buf[used++] = *c;
        buf[used++] = '\0';
    }
    return n;
}
