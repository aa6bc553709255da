/* Chrome Trace Event JSON for runs of switch records, without a Python object per switch.
 *
 * A switch closes the running stretch of the task it leaves (an "X" slice), marks the
 * switch on that task's track (an "i" instant) and opens the stretch of the task it enters:
 * what timeline.TimelineFolder does for every event, done here for whole switch records.
 * The folder's state is shared: `open_since` (task -> start, seconds) is read and updated
 * here, and lanes the folder has not seen yet stop the run so that it can name them. */
#include "_output.h"

#include <math.h>

/* Microseconds to the nanosecond, as Python writes round(us, 3). */
static int
put_micros(Output *out, long long ns)
{
    if (ns < 0) {
        if (PUT_TEXT(out, "-") < 0)
            return -1;
        ns = -ns;
    }
    return put_decimal(out, ns, 3);
}

static long long
to_ns(double seconds)
{
    return llround(seconds * 1e9);
}

/* The lane's (name, category, "switch to NAME") as JSON bytes, borrowed; NULL when the
 * folder has no lane for the task yet (no error set), or on error. */
static PyObject *
lane_of(PyObject *lanes, uint32_t task)
{
    PyObject *key = PyLong_FromUnsignedLong(task);
    if (key == NULL)
        return NULL;
    PyObject *lane = PyDict_GetItemWithError(lanes, key);
    Py_DECREF(key);
    if (lane != NULL && (!PyTuple_Check(lane) || PyTuple_GET_SIZE(lane) != 3)) {
        PyErr_SetString(PyExc_TypeError, "a lane is (name, category, mark) as JSON bytes");
        return NULL;
    }
    return lane;
}

static int
put_bytes(Output *out, PyObject *item)
{
    return put(out, PyBytes_AS_STRING(item), PyBytes_GET_SIZE(item));
}

static int
put_track(Output *out, long pid, uint32_t task)
{
    return PUT_TEXT(out, ",\"pid\":") < 0 || put_number(out, (unsigned long long)pid) < 0 ||
                   PUT_TEXT(out, ",\"tid\":") < 0 || put_number(out, task + 1000ULL) < 0
               ? -1
               : 0;
}

static int
put_args(Output *out, uint32_t task)
{
    return PUT_TEXT(out, ",\"args\":{\"task\":") < 0 || put_number(out, task) < 0 ||
                   PUT_TEXT(out, "}}")
               ? -1
               : 0;
}

/* One switch: the slice the origin ran (if it was running), the mark, the target's start. */
static int
put_switch(Output *out, const Record *record, double t0, long pid, PyObject *open_since,
           PyObject *origin_lane, PyObject *target_lane)
{
    long long t_ns = to_ns(record->t - t0);
    PyObject *origin = PyLong_FromUnsignedLong(record->a);
    if (origin == NULL)
        return -1;
    PyObject *since = PyDict_GetItemWithError(open_since, origin);
    if (since != NULL) {
        long long since_ns = to_ns(PyFloat_AsDouble(since));
        if (PUT_TEXT(out, ",{\"ph\":\"X\",\"name\":") < 0 ||
            put_bytes(out, PyTuple_GET_ITEM(origin_lane, 0)) < 0 ||
            PUT_TEXT(out, ",\"cat\":") < 0 ||
            put_bytes(out, PyTuple_GET_ITEM(origin_lane, 1)) < 0 ||
            put_track(out, pid, record->a) < 0 || PUT_TEXT(out, ",\"ts\":") < 0 ||
            put_micros(out, since_ns) < 0 || PUT_TEXT(out, ",\"dur\":") < 0 ||
            put_micros(out, t_ns - since_ns) < 0 || put_args(out, record->a) < 0 ||
            PyDict_DelItem(open_since, origin) < 0) {
            Py_DECREF(origin);
            return -1;
        }
    }
    Py_DECREF(origin);
    if (PyErr_Occurred())
        return -1;
    if (PUT_TEXT(out, ",{\"ph\":\"i\",\"s\":\"t\",\"name\":") < 0 ||
        put_bytes(out, PyTuple_GET_ITEM(target_lane, 2)) < 0 ||
        PUT_TEXT(out, ",\"cat\":\"event\"") < 0 || put_track(out, pid, record->a) < 0 ||
        PUT_TEXT(out, ",\"ts\":") < 0 || put_micros(out, t_ns) < 0 ||
        put_args(out, record->a) < 0)
        return -1;
    PyObject *target = PyLong_FromUnsignedLong(record->task);
    PyObject *start = PyFloat_FromDouble((double)t_ns / 1e9);
    int failed = target == NULL || start == NULL || PyDict_SetItem(open_since, target, start) < 0;
    Py_XDECREF(target);
    Py_XDECREF(start);
    return failed ? -1 : 0;
}

/* chrome_switches(records, start, end, t0, pid, open_since, lanes)
 *   -> (bytes, where it stopped, last t in seconds)
 * Records start..end must be whole records; it stops early at one that is not a switch, or
 * no lane yet: the folder handles that one. */
static PyObject *
chrome_switches(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7 || !PyDict_Check(args[5]) || !PyDict_Check(args[6])) {
        PyErr_SetString(PyExc_TypeError,
                        "chrome_switches(records, start, end, t0, pid, open_since, lanes)");
        return NULL;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[1]), end = PyLong_AsSsize_t(args[2]);
    double t0 = PyFloat_AsDouble(args[3]);
    long pid = PyLong_AsLong(args[4]);
    if (PyErr_Occurred())
        return NULL;
    PyObject *open_since = args[5], *lanes = args[6];
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    if (start < 0 || end > view.len / RECORD_SIZE || start > end) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_IndexError, "records out of range");
        return NULL;
    }
    Output out = {NULL, 0, 0};
    double last_t = 0.0;
    Py_ssize_t i = start;
    if (reserve(&out, (end - start) * 260 + 64) < 0)
        goto fail;
    for (; i < end; i++) {
        Record record;
        memcpy(&record, (const char *)view.buf + i * RECORD_SIZE, RECORD_SIZE);
        if (record.form != FORM_BINARY) {
            PyErr_SetString(PyExc_ValueError, "not a whole record");
            goto fail;
        }
        if (record.kind != SWITCH_KIND) /* a whole yield or resume: the folder's */
            break;
        PyObject *origin_lane = lane_of(lanes, record.a);
        PyObject *target_lane = origin_lane ? lane_of(lanes, record.task) : NULL;
        if (target_lane == NULL) {
            if (PyErr_Occurred())
                goto fail;
            break;
        }
        if (put_switch(&out, &record, t0, pid, open_since, origin_lane, target_lane) < 0)
            goto fail;
        last_t = (double)to_ns(record.t - t0) / 1e9;
    }
    PyBuffer_Release(&view);
    PyObject *text = PyBytes_FromStringAndSize(out.data, out.size);
    PyMem_Free(out.data);
    if (text == NULL)
        return NULL;
    return Py_BuildValue("(Nnd)", text, i, last_t);
fail:
    PyBuffer_Release(&view);
    PyMem_Free(out.data);
    return NULL;
}

static PyMethodDef chrome_functions[] = {
    {"chrome_switches", (PyCFunction)(void (*)(void))chrome_switches, METH_FASTCALL,
     "chrome_switches(records, start, end, t0, pid, open_since, lanes): Chrome records for "
     "whole switch records, up to the first other record; (bytes, where it stopped, last t)."},
    {NULL, NULL, 0, NULL},
};

int
chrome_init_module(PyObject *module)
{
    return PyModule_AddFunctions(module, chrome_functions);
}
