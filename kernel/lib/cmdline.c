#include "cmdline.h"
#include "../../lib/string.h"

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    bool found = false;
    const char *p = skip_spaces(cmdline);

    while (*p) {
        const char *word = p;
        /* Find the end of this word, honouring quotes. */
        bool quoted = false;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '"')
                quoted = !quoted;
            p++;
        }
        const char *end = p;
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
