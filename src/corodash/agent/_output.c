/* A growing byte buffer and the number formats the exports write. */
#include "_output.h"

#include <string.h>

int
output_grow(Output *out, Py_ssize_t more)
{
    Py_ssize_t capacity = (out->size + more) * 2;
    char *data = PyMem_Realloc(out->data, capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    out->data = data;
    out->capacity = capacity;
    return 0;
}

int
put_number(Output *out, unsigned long long value)
{
    char digits[24];
    int at = sizeof(digits);
    do {
        digits[--at] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return put(out, digits + at, sizeof(digits) - at);
}

int
put_decimal(Output *out, long long scaled, int decimals)
{
    long long unit = 1;
    for (int i = 0; i < decimals; i++)
        unit *= 10;
    if (put_number(out, (unsigned long long)(scaled / unit)) < 0)
        return -1;
    long long fraction = scaled % unit;
    char digits[24] = {'.'};
    for (int i = decimals; i >= 1; i--) {
        digits[i] = (char)('0' + fraction % 10);
        fraction /= 10;
    }
    int end = 2;
    for (int i = decimals; i >= 2; i--) {
        if (digits[i] != '0') {
            end = i + 1;
            break;
        }
    }
    return put(out, digits, end);
}
