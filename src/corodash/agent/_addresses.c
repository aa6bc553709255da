/* AddressTable: the registry's task ids by object address, for the switch hook.
 *
 * A greenlet switch looks up both greenlets. In a dict that costs an int made per address
 * and a hash lookup; a cache in front of it missed whenever more greenlets took turns than it
 * held (10,000 gevent greenlets in a round), and was emptied by every spawn and every end.
 * This table is the registry's table itself, open addressing on the raw address, so a
 * lookup is a multiply and a probe or two. From Python it is the small part of a dict the
 * agent uses: get, in, [] =, del, len. */
#include "_callbacks.h"

#define EMPTY ((uintptr_t)0)
#define GONE ((uintptr_t)1) /* a removed entry: probing goes on past it */
#define SMALLEST 64

typedef struct {
    uintptr_t address;
    uint32_t task;
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    size_t mask;  /* capacity - 1, a power of two less one */
    int shift;    /* 64 - log2(capacity) */
    size_t used;  /* live entries */
    size_t taken; /* live and removed entries: what probing walks past */
} AddressTable;

/* Objects are 16-byte aligned: the low bits say nothing. Fibonacci hashing spreads the
 * rest over the table. */
static inline size_t
home(const AddressTable *self, uintptr_t address)
{
    return (size_t)(((uint64_t)(address >> 4) * 0x9E3779B97F4A7C15ull) >> self->shift);
}

/* The slot holding `address`, or NULL. */
static inline Slot *
find(const AddressTable *self, uintptr_t address)
{
    for (size_t at = home(self, address);; at = (at + 1) & self->mask) {
        Slot *slot = &self->slots[at];
        if (slot->address == address)
            return slot;
        if (slot->address == EMPTY)
            return NULL;
    }
}

int
address_task(PyObject *table, void *address, uint32_t *task)
{
    Slot *slot = find((AddressTable *)table, (uintptr_t)address);
    if (slot == NULL)
        return 0;
    *task = slot->task;
    return 1;
}

/* Rebuilds the table with room for `used` entries at most half full (it grows at two
 * thirds: 16 bytes a slot, 24 to 48 a task). */
static int
rebuild(AddressTable *self)
{
    size_t capacity = SMALLEST;
    int bits = 6;
    while (capacity < (self->used + 1) * 2) {
        capacity <<= 1;
        bits++;
    }
    Slot *slots = PyMem_Calloc(capacity, sizeof(Slot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Slot *old = self->slots;
    size_t old_capacity = old != NULL ? self->mask + 1 : 0;
    self->slots = slots;
    self->mask = capacity - 1;
    self->shift = 64 - bits;
    self->taken = self->used;
    for (size_t i = 0; i < old_capacity; i++) {
        if (old[i].address <= GONE)
            continue;
        size_t at = home(self, old[i].address);
        while (slots[at].address != EMPTY)
            at = (at + 1) & self->mask;
        slots[at] = old[i];
    }
    PyMem_Free(old);
    return 0;
}

static int
read_address(PyObject *key, uintptr_t *address)
{
    void *pointer = PyLong_AsVoidPtr(key);
    if (pointer == NULL && PyErr_Occurred())
        return -1;
    *address = (uintptr_t)pointer;
    if (*address <= GONE) {
        PyErr_SetString(PyExc_ValueError, "not an object's address");
        return -1;
    }
    return 0;
}

static int
put(AddressTable *self, uintptr_t address, uint32_t task)
{
    Slot *slot = find(self, address);
    if (slot != NULL) {
        slot->task = task;
        return 0;
    }
    if ((self->taken + 1) * 3 > (self->mask + 1) * 2 && rebuild(self) < 0)
        return -1;
    size_t at = home(self, address);
    while (self->slots[at].address > GONE)
        at = (at + 1) & self->mask;
    if (self->slots[at].address == EMPTY)
        self->taken++;
    self->slots[at] = (Slot){address, task};
    self->used++;
    return 0;
}

int
address_table_put(PyObject *table, void *address, uint32_t task)
{
    return put((AddressTable *)table, (uintptr_t)address, task);
}

static int
assign(AddressTable *self, PyObject *key, PyObject *value)
{
    uintptr_t address;
    if (read_address(key, &address) < 0)
        return -1;
    Slot *slot = find(self, address);
    if (value == NULL) { /* del table[key] */
        if (slot == NULL) {
            PyErr_SetObject(PyExc_KeyError, key);
            return -1;
        }
        slot->address = GONE;
        self->used--;
        return 0;
    }
    unsigned long task = PyLong_AsUnsignedLong(value);
    if (task == (unsigned long)-1 && PyErr_Occurred())
        return -1;
    if (task > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "a task id is 32 bits");
        return -1;
    }
    return put(self, address, (uint32_t)task);
}

static PyObject *
subscript(AddressTable *self, PyObject *key)
{
    uintptr_t address;
    if (read_address(key, &address) < 0)
        return NULL;
    Slot *slot = find(self, address);
    if (slot == NULL) {
        PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    return PyLong_FromUnsignedLong(slot->task);
}

static PyObject *
table_get(AddressTable *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "get(address, default=None)");
        return NULL;
    }
    uintptr_t address;
    if (read_address(args[0], &address) < 0)
        return NULL;
    Slot *slot = find(self, address);
    if (slot != NULL)
        return PyLong_FromUnsignedLong(slot->task);
    return Py_NewRef(nargs > 1 ? args[1] : Py_None);
}

static int
contains(AddressTable *self, PyObject *key)
{
    uintptr_t address;
    if (read_address(key, &address) < 0)
        return -1;
    return find(self, address) != NULL;
}

static Py_ssize_t
length(AddressTable *self)
{
    return (Py_ssize_t)self->used;
}

static PyObject *
table_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    if (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && PyDict_GET_SIZE(kwds) != 0)) {
        PyErr_SetString(PyExc_TypeError, "AddressTable() takes no arguments");
        return NULL;
    }
    AddressTable *self = (AddressTable *)type->tp_alloc(type, 0);
    if (self != NULL && rebuild(self) < 0)
        Py_CLEAR(self);
    return (PyObject *)self;
}

static void
table_dealloc(AddressTable *self)
{
    PyMem_Free(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef table_methods[] = {
    {"get", (PyCFunction)(void (*)(void))table_get, METH_FASTCALL,
     "get(address, default=None): the task id under `address`."},
    {NULL, NULL, 0, NULL},
};

static PyMappingMethods table_mapping = {
    .mp_length = (lenfunc)length,
    .mp_subscript = (binaryfunc)subscript,
    .mp_ass_subscript = (objobjargproc)assign,
};

static PySequenceMethods table_sequence = {.sq_contains = (objobjproc)contains};

PyTypeObject AddressTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "corodash.agent._speedups.AddressTable",
    .tp_doc = "Task ids by object address (id()), read by the switch hook without a lookup "
              "in a dict.",
    .tp_basicsize = sizeof(AddressTable),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = table_new,
    .tp_dealloc = (destructor)table_dealloc,
    .tp_methods = table_methods,
    .tp_as_mapping = &table_mapping,
    .tp_as_sequence = &table_sequence,
};

int
addresses_init_module(PyObject *module)
{
    if (PyType_Ready(&AddressTableType) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "AddressTable", (PyObject *)&AddressTableType);
}
