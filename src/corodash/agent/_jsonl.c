/* JSON Lines for a batch of records, without a Python object per switch.
 *
 * Exporting a recording (and writing `--out FILE.jsonl`) expands every event into the JSONL
 * trace's dict and encodes it: about a microsecond each in Python. Whole records (switches,
 * plain resumes, yields of small values) are written here straight from their 24 bytes; the lines of the events kept as tuples come
 * ready-made from Python (trace_format.py) and are put in their places. */
#include "_output.h"

#include <math.h>
#include <string.h>

/* The task's JSON-encoded name from `names` (borrowed bytes), or "?" as JSON. */
static int
put_name(Output *out, PyObject *names, uint32_t task)
{
    PyObject *key = PyLong_FromUnsignedLong(task);
    if (key == NULL)
        return -1;
    PyObject *name = PyDict_GetItemWithError(names, key);
    Py_DECREF(key);
    if (name == NULL) {
        if (PyErr_Occurred())
            return -1;
        return put(out, "\"?\"", 3);
    }
    if (!PyBytes_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "names maps task ids to JSON bytes");
        return -1;
    }
    return put(out, PyBytes_AS_STRING(name), PyBytes_GET_SIZE(name));
}

/* Seconds to the nanosecond, as Python writes round(seconds, 9): the clock counts
 * nanoseconds, so no digit of the reading is lost (printing a float's shortest form would
 * cost more than the rest of the line). */
static int
put_seconds(Output *out, double seconds)
{
    long long ns = llround(seconds * 1e9);
    if (ns < 0) {
        if (PUT_TEXT(out, "-") < 0)
            return -1;
        ns = -ns;
    }
    return put_decimal(out, ns, 9);
}

/* `{"seq":N,"t":T,"kind":"KIND","task":N,"name":NAME,` of a whole record. */
static int
put_head(Output *out, const Record *record, const char *kind, long long seq, double t0,
         PyObject *names)
{
    if (PUT_TEXT(out, "{\"seq\":") < 0 || put_number(out, (unsigned long long)seq) < 0 ||
        PUT_TEXT(out, ",\"t\":") < 0 || put_seconds(out, record->t - t0) < 0 ||
        PUT_TEXT(out, ",\"kind\":\"") < 0 || put(out, kind, strlen(kind)) < 0 ||
        PUT_TEXT(out, "\",\"task\":") < 0 || put_number(out, record->task) < 0 ||
        PUT_TEXT(out, ",\"name\":") < 0 || put_name(out, names, record->task) < 0)
        return -1;
    return 0;
}

static int
put_switch(Output *out, const Record *record, long long seq, double t0, PyObject *names)
{
    if (put_head(out, record, "switch", seq, t0, names) < 0 || PUT_TEXT(out, ",\"from\":") < 0 ||
        put_number(out, record->a) < 0 || PUT_TEXT(out, ",\"to\":") < 0 ||
        put_number(out, record->task) < 0)
        return -1;
    return record->flag ? PUT_TEXT(out, ",\"thrown\":true}\n") : PUT_TEXT(out, ",\"thrown\":false}\n");
}

/* A whole record's value as the JSON string of its repr. */
static int
put_value(Output *out, const Record *record)
{
    switch (record->flag) {
    case VALUE_INT: {
        long long number = (int32_t)record->a;
        if (PUT_TEXT(out, "\"") < 0 || (number < 0 && PUT_TEXT(out, "-") < 0) ||
            put_number(out, (unsigned long long)(number < 0 ? -number : number)) < 0)
            return -1;
        return PUT_TEXT(out, "\"");
    }
    case VALUE_NONE:
        return PUT_TEXT(out, "\"None\"");
    case VALUE_TRUE:
        return PUT_TEXT(out, "\"True\"");
    case VALUE_FALSE:
        return PUT_TEXT(out, "\"False\"");
    }
    PyErr_Format(PyExc_ValueError, "no value of form %d", record->flag);
    return -1;
}

static int
put_whole(Output *out, const Record *record, long long seq, double t0, PyObject *names)
{
    switch (record->kind) {
    case SWITCH_KIND:
        return put_switch(out, record, seq, t0, names);
    case YIELD_KIND:
        if (put_head(out, record, "yield", seq, t0, names) < 0 ||
            PUT_TEXT(out, ",\"value\":") < 0 || put_value(out, record) < 0 ||
            PUT_TEXT(out, ",\"line\":") < 0 || put_number(out, record->b) < 0)
            return -1;
        return PUT_TEXT(out, "}\n");
    case RESUME_KIND:
        if (put_head(out, record, "resume", seq, t0, names) < 0 ||
            PUT_TEXT(out, ",\"sent\":") < 0 || put_value(out, record) < 0)
            return -1;
        return PUT_TEXT(out, ",\"thrown\":null}\n");
    }
    PyErr_Format(PyExc_ValueError, "no binary form for event kind %d", record->kind);
    return -1;
}

/* jsonl(records, tuple_lines, seq, t0, names) -> bytes */
static PyObject *
jsonl(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[1]) || !PyDict_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "jsonl(records, tuple_lines: list, seq: int, t0: float, names: dict)");
        return NULL;
    }
    long long seq = PyLong_AsLongLong(args[2]);
    double t0 = PyFloat_AsDouble(args[3]);
    if (PyErr_Occurred())
        return NULL;
    PyObject *lines = args[1], *names = args[4];
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_ssize_t n = view.len / RECORD_SIZE, next_line = 0;
    Output out = {NULL, 0, 0};
    if (reserve(&out, n * 120 + 64) < 0)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++, seq++) {
        Record record;
        memcpy(&record, (const char *)view.buf + i * RECORD_SIZE, RECORD_SIZE);
        if (record.form == FORM_TUPLE) {
            if (next_line >= PyList_GET_SIZE(lines)) {
                PyErr_SetString(PyExc_ValueError, "a record's line is missing");
                goto fail;
            }
            PyObject *line = PyList_GET_ITEM(lines, next_line++);
            if (!PyBytes_Check(line)) {
                PyErr_SetString(PyExc_TypeError, "tuple_lines holds bytes");
                goto fail;
            }
            if (put(&out, PyBytes_AS_STRING(line), PyBytes_GET_SIZE(line)) < 0)
                goto fail;
        }
        else if (put_whole(&out, &record, seq, t0, names) < 0)
            goto fail;
    }
    PyBuffer_Release(&view);
    PyObject *result = PyBytes_FromStringAndSize(out.data, out.size);
    PyMem_Free(out.data);
    return result;
fail:
    PyBuffer_Release(&view);
    PyMem_Free(out.data);
    return NULL;
}

static PyMethodDef jsonl_functions[] = {
    {"jsonl", (PyCFunction)(void (*)(void))jsonl, METH_FASTCALL,
     "jsonl(records, tuple_lines, seq, t0, names): the batch as JSON Lines; switch records "
     "written here, the others' lines given in order."},
    {NULL, NULL, 0, NULL},
};

int
jsonl_init_module(PyObject *module)
{
    return PyModule_AddFunctions(module, jsonl_functions);
}
