/* Decoding records: the agent tuple of a whole record, and of a batch (`decode`). */
#include "_recorder.h"

#include <string.h>

static PyObject *str_switch, *str_throw, *str_none, *str_true, *str_false;

/* The repr of a whole record's value: a new reference. */
static PyObject *
value_repr(const Record *record)
{
    switch (record->flag) {
    case VALUE_INT:
        return PyUnicode_FromFormat("%d", (int)(int32_t)record->a);
    case VALUE_NONE:
        return Py_NewRef(str_none);
    case VALUE_TRUE:
        return Py_NewRef(str_true);
    case VALUE_FALSE:
        return Py_NewRef(str_false);
    }
    PyErr_Format(PyExc_ValueError, "no value of form %d", record->flag);
    return NULL;
}

/* The agent tuple of a complete record: a switch, a yield or a resume. */
PyObject *
binary_event(const Record *record)
{
    if (record->kind == SWITCH_KIND)
        return Py_BuildValue("(idIIO)", record->kind, record->t, record->task, record->a,
                             record->flag ? str_throw : str_switch);
    if (record->kind == YIELD_KIND)
        return Py_BuildValue("(idINI)", record->kind, record->t, record->task,
                             value_repr(record), record->b);
    if (record->kind == RESUME_KIND)
        return Py_BuildValue("(idINO)", record->kind, record->t, record->task,
                             value_repr(record), Py_None);
    PyErr_Format(PyExc_ValueError, "no binary form for event kind %d", record->kind);
    return NULL;
}

static PyObject *
decode(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "decode(records: bytes, extras: list)");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *extras = args[1];
    Py_ssize_t n = view.len / RECORD_SIZE, next_extra = 0;
    PyObject *events = PyList_New(n);
    if (events == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        Record record;
        memcpy(&record, (const char *)view.buf + i * RECORD_SIZE, RECORD_SIZE);
        PyObject *event;
        if (record.form == FORM_TUPLE) {
            if (next_extra >= PyList_GET_SIZE(extras)) {
                PyErr_SetString(PyExc_ValueError, "a record's tuple is missing");
                goto fail;
            }
            event = Py_NewRef(PyList_GET_ITEM(extras, next_extra++));
        }
        else if ((event = binary_event(&record)) == NULL)
            goto fail;
        PyList_SET_ITEM(events, i, event);
    }
    PyBuffer_Release(&view);
    return events;
fail:
    Py_XDECREF(events);
    PyBuffer_Release(&view);
    return NULL;
}

static PyMethodDef decode_functions[] = {
    {"decode", (PyCFunction)(void (*)(void))decode, METH_FASTCALL,
     "decode(records, tuples): the agent tuples of a batch, in order."},
    {NULL, NULL, 0, NULL},
};

int
decode_init_module(PyObject *module)
{
    if ((str_switch = PyUnicode_InternFromString("switch")) == NULL ||
        (str_none = PyUnicode_InternFromString("None")) == NULL ||
        (str_true = PyUnicode_InternFromString("True")) == NULL ||
        (str_false = PyUnicode_InternFromString("False")) == NULL ||
        (str_throw = PyUnicode_InternFromString("throw")) == NULL)
        return -1;
    return PyModule_AddFunctions(module, decode_functions);
}
