/* The agent's event recorder: a bounded ring of fixed 24-byte records.
 *
 * The traced thread writes a record and goes on: a switch between known greenlets, a plain
 * next() and a yield of a small value make no Python object at all. Other events keep their
 * tuple in `extras`, in order, and their record says so (FORM_TUPLE). The channel thread
 * takes records and their tuples in batches and sends them as they are; the controller
 * decodes them (`decode`, _decode.c) or stores them unchanged in a recording. When the ring is full the
 * traced thread waits, the GIL released, until the channel has taken some: never a lost
 * event, never unbounded memory.
 *
 * A whole record is stamped in ticks (recorder_ticks: the time-stamp counter, where the
 * kernel keeps time by it); reading the clock took more than half of what a switch's
 * record cost. The channel turns them into seconds when it takes records (settle_times):
 * the clock and the counter are read together at each take, and every record stamped since
 * the last take falls between the two readings, so its seconds are interpolated between
 * them, in order, on the channel's thread rather than the traced one. */
#include "_recorder.h"

#include <pythread.h>
#include <string.h>
#include <time.h>

struct Recorder {
    PyObject_HEAD
    Record *ring;
    Py_ssize_t capacity;
    Py_ssize_t head;
    Py_ssize_t count;
    Py_ssize_t settled; /* the oldest `settled` records have seconds, not ticks */
    uint64_t anchor_ticks; /* the ticks and the seconds read together at the last take */
    double anchor_t;
    PyObject *extras; /* list: the tuples of FORM_TUPLE records, oldest first */
    int discarding;   /* a forked child's: nothing recorded belongs to the run */
    int has_drainer;
    unsigned long drainer; /* the thread that takes records never waits for room */
};

int recorder_tsc;

double
recorder_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec) / 1e9;
}

/* Makes room for one record: waits for the drainer, or grows the ring when the caller is
 * the drainer itself (it cannot wait for itself). 0, or -1 with an error set. */
static int
make_room(Recorder *self)
{
    while (self->count >= self->capacity) {
        if (!self->has_drainer || PyThread_get_thread_ident() == self->drainer) {
            Py_ssize_t bigger = self->capacity * 2;
            Record *ring = PyMem_Malloc(bigger * sizeof(Record));
            if (ring == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            Py_ssize_t first = self->capacity - self->head;
            memcpy(ring, self->ring + self->head, first * sizeof(Record));
            memcpy(ring + first, self->ring, self->head * sizeof(Record));
            PyMem_Free(self->ring);
            self->ring = ring;
            self->head = 0;
            self->capacity = bigger;
            return 0;
        }
        Py_BEGIN_ALLOW_THREADS
        struct timespec pause = {0, 200000};
        nanosleep(&pause, NULL);
        Py_END_ALLOW_THREADS
    }
    return 0;
}

int
recorder_put(Recorder *self, const Record *record)
{
    if (self->discarding)
        return 0;
    if (self->count >= self->capacity && make_room(self) < 0)
        return -1;
    if (self->discarding) /* silenced while this thread waited */
        return 0;
    Py_ssize_t at = self->head + self->count;
    if (at >= self->capacity)
        at -= self->capacity;
    self->ring[at] = *record;
    self->count++;
    return 0;
}

/* Reads the clock and the ticks together, for the records stamped from now on. */
static void
set_anchor(Recorder *self)
{
    self->anchor_ticks = recorder_ticks();
    self->anchor_t = recorder_now();
}

/* Seconds for the whole records stamped since the last take, interpolated between that
 * take's reading of the clock and this one's. */
static void
settle_times(Recorder *self)
{
    uint64_t anchor_ticks = self->anchor_ticks;
    double anchor_t = self->anchor_t;
    set_anchor(self);
    double scale = 0.0;
    if (self->anchor_ticks > anchor_ticks)
        scale = (self->anchor_t - anchor_t) / (double)(self->anchor_ticks - anchor_ticks);
    for (Py_ssize_t i = self->settled; i < self->count; i++) {
        Py_ssize_t at = self->head + i;
        if (at >= self->capacity)
            at -= self->capacity;
        Record *record = &self->ring[at];
        if (record->form == FORM_BINARY)
            record->t = anchor_t + (double)(int64_t)(record->ticks - anchor_ticks) * scale;
    }
    self->settled = self->count;
}

static int
read_task(PyObject *item, uint32_t *task)
{
    if (item == Py_None) {
        *task = NO_TASK;
        return 0;
    }
    unsigned long value = PyLong_AsUnsignedLong(item);
    if (value == (unsigned long)-1 && PyErr_Occurred())
        return -1;
    *task = (uint32_t)value;
    return 0;
}

int
recorder_put_tuple(Recorder *self, PyObject *event)
{
    if (self->discarding) {
        Py_DECREF(event);
        return 0;
    }
    if (!PyTuple_Check(event) || PyTuple_GET_SIZE(event) < 3) {
        Py_DECREF(event);
        PyErr_SetString(PyExc_TypeError, "an event is a tuple (code, t, task, ...)");
        return -1;
    }
    Record record = {.form = FORM_TUPLE};
    long kind = PyLong_AsLong(PyTuple_GET_ITEM(event, 0));
    record.t = PyFloat_AsDouble(PyTuple_GET_ITEM(event, 1));
    if ((kind == -1 || record.t == -1.0) && PyErr_Occurred()) {
        Py_DECREF(event);
        return -1;
    }
    record.kind = (uint8_t)kind;
    if (read_task(PyTuple_GET_ITEM(event, 2), &record.task) < 0) {
        Py_DECREF(event);
        return -1;
    }
    /* room first: the tuple and its record go in together */
    if (self->count >= self->capacity && make_room(self) < 0) {
        Py_DECREF(event);
        return -1;
    }
    int failed = PyList_Append(self->extras, event);
    Py_DECREF(event);
    if (failed < 0)
        return -1;
    return recorder_put(self, &record);
}

/* ---- encoding ------------------------------------------------------------------------ */

int
recorder_value(PyObject *value, uint16_t *flag, uint32_t *a)
{
    if (value == Py_None)
        *flag = VALUE_NONE;
    else if (value == Py_True)
        *flag = VALUE_TRUE;
    else if (value == Py_False)
        *flag = VALUE_FALSE;
    else if (PyLong_CheckExact(value)) {
        int overflow;
        long number = PyLong_AsLongAndOverflow(value, &overflow);
        if (overflow || number < INT32_MIN || number > INT32_MAX)
            return 0;
        *flag = VALUE_INT;
        *a = (uint32_t)(int32_t)number;
    }
    else
        return 0;
    return 1;
}

/* ---- the Python type ------------------------------------------------------------------ */

static PyObject *
recorder_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"capacity", NULL};
    Py_ssize_t capacity;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "n:Recorder", names, &capacity))
        return NULL;
    if (capacity < 1) {
        PyErr_SetString(PyExc_ValueError, "capacity must be positive");
        return NULL;
    }
    Recorder *self = (Recorder *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->ring = PyMem_Malloc(capacity * sizeof(Record));
    self->extras = PyList_New(0);
    if (self->ring == NULL || self->extras == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->capacity = capacity;
    set_anchor(self);
    return (PyObject *)self;
}

static PyObject *
recorder_append(Recorder *self, PyObject *event)
{
    if (recorder_put_tuple(self, Py_NewRef(event)) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
recorder_take(Recorder *self, PyObject *arg)
{
    Py_ssize_t most = PyLong_AsSsize_t(arg);
    if (most == -1 && PyErr_Occurred())
        return NULL;
    settle_times(self);
    Py_ssize_t n = self->count < most ? self->count : most;
    if (n <= 0)
        Py_RETURN_NONE;
    PyObject *records = PyBytes_FromStringAndSize(NULL, n * RECORD_SIZE);
    if (records == NULL)
        return NULL;
    Record *out = (Record *)PyBytes_AS_STRING(records);
    Py_ssize_t first = self->capacity - self->head;
    if (first > n)
        first = n;
    memcpy(out, self->ring + self->head, first * sizeof(Record));
    memcpy(out + first, self->ring, (n - first) * sizeof(Record));
    Py_ssize_t tuples = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        tuples += out[i].form == FORM_TUPLE;
    PyObject *taken = PyList_GetSlice(self->extras, 0, tuples);
    if (taken == NULL || PyList_SetSlice(self->extras, 0, tuples, NULL) < 0) {
        Py_DECREF(records);
        Py_XDECREF(taken);
        return NULL;
    }
    self->head = (self->head + n) % self->capacity;
    self->count -= n;
    self->settled -= n;
    return Py_BuildValue("(NN)", records, taken);
}

static PyObject *
recorder_last(Recorder *self, PyObject *unused)
{
    if (self->count == 0)
        Py_RETURN_NONE;
    settle_times(self);
    Py_ssize_t at = (self->head + self->count - 1) % self->capacity;
    const Record *record = &self->ring[at];
    if (record->form == FORM_TUPLE) {
        Py_ssize_t size = PyList_GET_SIZE(self->extras);
        return Py_NewRef(PyList_GET_ITEM(self->extras, size - 1));
    }
    return binary_event(record);
}

static PyObject *
recorder_clear(Recorder *self, PyObject *unused)
{
    self->head = self->count = self->settled = 0;
    if (PyList_SetSlice(self->extras, 0, PyList_GET_SIZE(self->extras), NULL) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
recorder_silence(Recorder *self, PyObject *unused)
{
    self->discarding = 1;
    return recorder_clear(self, NULL);
}

static PyObject *
recorder_set_drainer(Recorder *self, PyObject *unused)
{
    self->drainer = PyThread_get_thread_ident();
    self->has_drainer = 1;
    Py_RETURN_NONE;
}

static Py_ssize_t
recorder_len(Recorder *self)
{
    return self->count;
}

static int
recorder_traverse(Recorder *self, visitproc visit, void *arg)
{
    Py_VISIT(self->extras);
    return 0;
}

static int
recorder_clear_refs(Recorder *self)
{
    Py_CLEAR(self->extras);
    return 0;
}

static void
recorder_dealloc(Recorder *self)
{
    PyObject_GC_UnTrack(self);
    recorder_clear_refs(self);
    PyMem_Free(self->ring);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
recorder_capacity(Recorder *self, void *unused)
{
    return PyLong_FromSsize_t(self->capacity);
}

static PyMethodDef recorder_methods[] = {
    {"append", (PyCFunction)recorder_append, METH_O,
     "Record an event tuple (code, t, task, ...); waits while the ring is full."},
    {"take", (PyCFunction)recorder_take, METH_O,
     "(records, tuples) of up to N oldest events, removed; None when there are none."},
    {"last", (PyCFunction)recorder_last, METH_NOARGS,
     "The newest event not yet taken, as a tuple; None when there is none."},
    {"clear", (PyCFunction)recorder_clear, METH_NOARGS, "Drop every event not yet taken."},
    {"silence", (PyCFunction)recorder_silence, METH_NOARGS,
     "Drop every event, now and from now on (a forked child's recorder)."},
    {"set_drainer", (PyCFunction)recorder_set_drainer, METH_NOARGS,
     "The calling thread takes the records: it never waits for room."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef recorder_getset[] = {
    {"capacity", (getter)recorder_capacity, NULL, "Records the ring holds.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods recorder_as_sequence = {
    .sq_length = (lenfunc)recorder_len,
};

PyTypeObject RecorderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "corodash.agent._speedups.Recorder",
    .tp_doc = "The agent's bounded ring of 24-byte event records (see docs/recording.md).",
    .tp_basicsize = sizeof(Recorder),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = recorder_new,
    .tp_traverse = (traverseproc)recorder_traverse,
    .tp_clear = (inquiry)recorder_clear_refs,
    .tp_dealloc = (destructor)recorder_dealloc,
    .tp_methods = recorder_methods,
    .tp_getset = recorder_getset,
    .tp_as_sequence = &recorder_as_sequence,
};

/* Whether the kernel keeps time by the time-stamp counter (then it has checked that the
 * counter is steady and the same on every core). */
static int
kernel_uses_tsc(void)
{
#if defined(__x86_64__) && defined(__linux__)
    FILE *file = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    if (file == NULL)
        return 0;
    char name[16] = {0};
    int found = fgets(name, sizeof name, file) != NULL && strcmp(name, "tsc\n") == 0;
    fclose(file);
    return found;
#else
    return 0;
#endif
}

int
recorder_init_module(PyObject *module)
{
    recorder_tsc = kernel_uses_tsc();
    if (PyType_Ready(&RecorderType) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "Recorder", (PyObject *)&RecorderType);
}
