/* What every compiled tracer callback shares (defined in _speedups.c): the task table
 * lookup, the gate's check after an event, safe stops and the containment of the tracer's
 * own errors. */
#ifndef CORODASH_CALLBACKS_H
#define CORODASH_CALLBACKS_H

#include "_recorder.h"

/* The task id registered under id(obj) in `table`: a new reference, NULL when there is none
 * (with no error set) or on error. */
PyObject *task_of(PyObject *table, void *address);

/* Where instances of `type` keep the slot `name`: its offset, or -1 with an error set. */
Py_ssize_t slot_offset(PyTypeObject *type, const char *name);
/* Where a Gate keeps `hold`: the offset of its slot, or -1 with an error set. */
Py_ssize_t hold_slot(PyObject *gate);

/* `if gate.hold: gate.event()`, `hold` read from its slot: 0, or -1 with an error set. */
int after_event(PyObject *gate, Py_ssize_t hold_at);

/* The task id an AddressTable (_addresses.c) holds for `address`: 1, or 0 when none. */
int address_task(PyObject *table, void *address, uint32_t *task);
/* Registers `task` under `address` in an AddressTable: 0, or -1 with an error set. */
int address_table_put(PyObject *table, void *address, uint32_t task);
extern PyTypeObject AddressTableType;

/* Completes `whole` for task `tid` (borrowed) with `b` and the time now, records it, then
 * `after_event`: 0, or -1 with an error set. */
int record_whole(PyObject *buffer, PyObject *gate, Py_ssize_t hold_at, PyObject *tid,
                 Record *whole, uint32_t b);

/* Raises the stop signal on the way out of a callback when the gate asked for a stop. */
void take_safe_stop(void);

/* Set once a callback failed: every callback returns at once from then on. */
extern int tracing_failed;

/* A callback's result with its error kept for the agent instead of raised in the program
 * (KeyboardInterrupt and SystemExit pass). */
PyObject *contain(PyObject *result);

/* "driven", interned: ResumeCause's attribute set while a drive command runs. */
extern PyObject *str_driven;

/* Add SwitchHook (_greenlet.c), AddressTable (_addresses.c), GeneratorHooks (_monitoring.c). */
int greenlet_init_module(PyObject *module);
int addresses_init_module(PyObject *module);

/* Add Then (_then.c): a call, then a look at its result. */
int then_init_module(PyObject *module);
/* Add SpawnRecorder (_spawns.c): gevent's spawns registered. */
int spawns_init_module(PyObject *module);
int monitoring_init_module(PyObject *module);

/* Adds SettraceHooks (_settrace.c, Python 3.11) to the module. */
int settrace_init_module(PyObject *module);

#endif
