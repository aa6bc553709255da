/* A growing byte buffer and the number formats the exports write (_jsonl.c, _chrome.c). */
#ifndef CORODASH_OUTPUT_H
#define CORODASH_OUTPUT_H

#include "_recorder.h"

#include <string.h>

typedef struct {
    char *data;
    Py_ssize_t size;
    Py_ssize_t capacity;
} Output;

/* Each returns 0, or -1 with MemoryError set. Inline: an export calls them a dozen times a
 * line. */
int output_grow(Output *out, Py_ssize_t more);

static inline int
reserve(Output *out, Py_ssize_t more)
{
    return out->size + more <= out->capacity ? 0 : output_grow(out, more);
}

static inline int
put(Output *out, const char *text, Py_ssize_t size)
{
    if (reserve(out, size) < 0)
        return -1;
    memcpy(out->data + out->size, text, size);
    out->size += size;
    return 0;
}

/* Decimal digits, without printf (a third of an export's time otherwise). */
int put_number(Output *out, unsigned long long value);
/* `scaled` / 10**decimals as Python writes round(x, decimals): no trailing zeros, at least
 * one decimal ("2.0"). `scaled` is not negative. */
int put_decimal(Output *out, long long scaled, int decimals);

#define PUT_TEXT(out, text) put(out, text, sizeof(text) - 1)

/* Adds chrome_switches (_chrome.c) to the module. */
int chrome_init_module(PyObject *module);

#endif
