/* The event recorder shared by the compiled tracer callbacks (_recorder.c).
 *
 * Every event is one fixed 24-byte record in a bounded ring owned by the agent; a switch
 * between known greenlets, a generator's plain next() and a yield of a small int, None,
 * True or False are complete in their record (no Python object made), any other event
 * keeps its tuple in a side list the record points to in order. docs/recording.md
 * describes the layout. */
#ifndef CORODASH_RECORDER_H
#define CORODASH_RECORDER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define RECORD_SIZE 24
#define FORM_BINARY 0
#define FORM_TUPLE 1
#define NO_TASK 0xFFFFFFFFu
#define YIELD_KIND 1  /* protocol.YIELD */
#define RESUME_KIND 2 /* protocol.RESUME */
#define RETURN_KIND 3 /* protocol.RETURN */
#define SWITCH_KIND 5 /* protocol.SWITCH */

/* How a whole yield or resume record holds its value (`flag`): an int in `a`, or a
 * constant. Values of other kinds keep their tuple. */
#define VALUE_INT 0
#define VALUE_NONE 1
#define VALUE_TRUE 2
#define VALUE_FALSE 3

/* `ticks` while a whole record waits in the ring (a counter read in half the time of the
 * clock), `t` once the channel takes it: seconds on time.perf_counter's clock. A tuple's
 * record has `t` from the start. */
typedef struct {
    union {
        double t;
        uint64_t ticks;
    };
    uint8_t kind;
    uint8_t form;
    uint16_t flag;
    uint32_t task;
    uint32_t a;
    uint32_t b;
} Record;

typedef struct Recorder Recorder;

extern PyTypeObject RecorderType;

/* Appends a complete record; waits (the GIL released) while the ring is full. 0 or -1. */
int recorder_put(Recorder *self, const Record *record);

/* Whether `value` fits a whole record: sets its flag and `a` (1), or not (0). */
int recorder_value(PyObject *value, uint16_t *flag, uint32_t *a);

/* Appends an event tuple (code, t, task, ...): steals the reference, even on failure. */
int recorder_put_tuple(Recorder *self, PyObject *event);

/* The agent tuple of a whole record (_decode.c): a new reference, NULL on error. */
PyObject *binary_event(const Record *record);

/* Add Recorder (_recorder.c) and decode (_decode.c) to the module. */
int recorder_init_module(PyObject *module);
int decode_init_module(PyObject *module);

/* Adds jsonl (_jsonl.c) to the module. */
int jsonl_init_module(PyObject *module);

/* Seconds on time.perf_counter's clock. */
double recorder_now(void);

/* Whether recorder_ticks reads the CPU's time-stamp counter: only where the kernel itself
 * keeps time by it (its clocksource is "tsc"), so it is steady and the same on every core. */
extern int recorder_tsc;

/* The time of a whole record, in ticks: the time-stamp counter, or else nanoseconds on the
 * monotonic clock. The channel turns them into seconds (settle_times in _recorder.c). */
static inline uint64_t
recorder_ticks(void)
{
#if defined(__x86_64__)
    if (recorder_tsc)
        return __rdtsc();
#endif
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
