/* The SOC's benign alerts, compiled: a twin of defenses/soc.py's Soc.catch_up loop (and of Soc._dispatch) for the
 * stretches when no high-confidence alert waits and the queue's head is benign (issue 18: a compiled kernel for the SOC queue and calendar, with
 * the pure-Python twin kept). It performs the same steps, in the same order, with the same double arithmetic
 * (additions, subtractions, comparisons, and the calendar's floor: so every value is bit for bit the one the Python
 * loop computes), and hands back to Python whenever something else must happen: a batch of draws to refill, or a
 * backlog to log. tests/test_soc.py runs both and compares every result.
 *
 * run(t, now, free, gaps, minutes, pending, ph, max_age, crowd, backlog, busy, low, hold, busy_d, cal)
 *   free: the analysts' next-free times (a heap: list of float); gaps, minutes: the next draws, taken from the end
 *   (lists of float); pending: start times of alerts placed without queueing, live from index ph on (list of float);
 *   backlog: whether a backlog is already logged; busy: catch_up's own sum of analyst minutes; low: the queue (a
 *   deque of (arrival, minutes, alert), alert None for a benign one); hold: when the queue's head can start (catch_up's
 *   local); busy_d: the SOC's busy_minutes, which _dispatch adds to; cal: None for a round-the-clock SOC, else
 *   (utc offset in minutes, window starts, window ends) as defenses.calendar.Schedule has them.
 * returns (t, ph, arrived, dropped, dropped_d, busy, busy_d, hold, backlog, stop, watch_at, placed)
 *   dropped: catch_up's drops; dropped_d: _dispatch's; stop: 0 t > now (done); 1 Python takes the alert at t (the
 *   draws need refilling, or a true alert reached the head and can start); 2 a backlog to log at watch_at with ``placed`` alerts placed, then go on.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#define WEEK 10080.0

static PyObject *str_popleft, *str_append;

static inline double item(PyObject *list, Py_ssize_t i) { return PyFloat_AS_DOUBLE(PyList_GET_ITEM(list, i)); }

typedef struct {
    int always;
    double offset;
    PyObject *starts, *ends; /* lists of float */
} Cal;

/* Schedule._locate: (start of the local week holding t, in simulation minutes; first window ending after t). */
static double locate(const Cal *c, double t, Py_ssize_t *index) {
    double local = t + c->offset;
    double week = floor(local / WEEK) * WEEK;
    double x = local - week;
    Py_ssize_t lo = 0, hi = PyList_GET_SIZE(c->ends);
    while (lo < hi) { /* bisect_right */
        Py_ssize_t mid = (lo + hi) / 2;
        if (x < item(c->ends, mid)) hi = mid;
        else lo = mid + 1;
    }
    *index = lo;
    return week - c->offset;
}

static double next_on_shift(const Cal *c, double t) {
    if (c->always) return t;
    Py_ssize_t i;
    double base = locate(c, t, &i);
    double start = base + item(c->starts, i);
    return start <= t ? t : start;
}

/* Soc._on_shift_part: min(minutes, next_off_shift(start) - start) */
static double on_shift_part(const Cal *c, double start, double minutes) {
    if (c->always) return minutes;
    Py_ssize_t i;
    double base = locate(c, start, &i);
    double off = base + item(c->starts, i) <= start ? base + item(c->ends, i) : start;
    double left = off - start;
    return left < minutes ? left : minutes;
}

/* heapq.heapreplace(heap, value) for a list of floats: CPython's _heapq algorithm (the smaller child bubbles up to
 * a leaf, then the new item sifts down), so the list's layout stays exactly what heapq would leave. */
static int heapreplace(PyObject *heap, double value) {
    PyObject *newitem = PyFloat_FromDouble(value);
    if (newitem == NULL) return -1;
    PyObject **arr = ((PyListObject *)heap)->ob_item;
    Py_ssize_t endpos = PyList_GET_SIZE(heap), pos = 0, limit = endpos >> 1;
    PyObject *old = arr[0];
    arr[0] = newitem;
    Py_DECREF(old);
    while (pos < limit) {
        Py_ssize_t child = 2 * pos + 1;
        if (child + 1 < endpos && !(PyFloat_AS_DOUBLE(arr[child]) < PyFloat_AS_DOUBLE(arr[child + 1]))) child += 1;
        PyObject *tmp = arr[child];
        arr[child] = arr[pos];
        arr[pos] = tmp;
        pos = child;
    }
    while (pos > 0) {
        Py_ssize_t parent = (pos - 1) >> 1;
        if (!(PyFloat_AS_DOUBLE(arr[pos]) < PyFloat_AS_DOUBLE(arr[parent]))) break;
        PyObject *tmp = arr[parent];
        arr[parent] = arr[pos];
        arr[pos] = tmp;
        pos = parent;
    }
    return 0;
}

/* list[i] as a double, checked (the lists come from Python) */
static int draw(PyObject *list, Py_ssize_t i, double *out) {
    PyObject *x = PyList_GET_ITEM(list, i);
    if (!PyFloat_CheckExact(x)) {
        PyErr_SetString(PyExc_ValueError, "_socfast.run: lists of float expected");
        return -1;
    }
    *out = PyFloat_AS_DOUBLE(x);
    return 0;
}

/* t += the next gap (taken from the end of gaps) */
static int advance(PyObject *gaps, Py_ssize_t *ng, double *t) {
    double g;
    if (draw(gaps, --*ng, &g) < 0) return -1;
    *t += g;
    return 0;
}

static int all_floats(PyObject *list) {
    Py_ssize_t n = PyList_GET_SIZE(list);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyFloat_CheckExact(PyList_GET_ITEM(list, i))) return 0;
    return 1;
}

typedef struct {
    double max_age, busy_d;
    Py_ssize_t dropped_d;
    PyObject *low, *popleft, *append; /* the deque and its bound methods, looked up once a call */
    Py_ssize_t len;                   /* its length, kept as entries come and go */
} Queue;

/* Soc._dispatch while the queue's head is a benign alert: start, in order, every alert an analyst could take at or
 * before now; returns 0 and sets *hold to when the head can start (-inf if the queue emptied), 1 when the head is a
 * true alert an analyst can take now (Python dispatches it), -1 on error. */
static int dispatch(const Cal *c, Queue *q, PyObject *free, double now, double *hold) {
    while (q->len > 0) {
        PyObject *head = PySequence_GetItem(q->low, 0);
        if (head == NULL) return -1;
        if (!PyTuple_Check(head) || PyTuple_GET_SIZE(head) != 3) {
            Py_DECREF(head);
            PyErr_SetString(PyExc_ValueError, "_socfast: the queue holds (arrival, minutes, alert) tuples");
            return -1;
        }
        int benign = PyTuple_GET_ITEM(head, 2) == Py_None;
        double arrival = PyFloat_AsDouble(PyTuple_GET_ITEM(head, 0));
        double minutes = PyFloat_AsDouble(PyTuple_GET_ITEM(head, 1));
        Py_DECREF(head);
        if (PyErr_Occurred()) return -1;
        double f0 = item(free, 0);
        double start = f0 > arrival ? f0 : arrival;
        if (!c->always) start = next_on_shift(c, start);
        if (start > now) {
            *hold = start;
            return 0;
        }
        if (!benign) { /* a true alert an analyst can take now: Python's part (its triage is a simpy event) */
            *hold = -INFINITY;
            return 1;
        }
        PyObject *gone = PyObject_CallNoArgs(q->popleft);
        if (gone == NULL) return -1;
        Py_DECREF(gone);
        q->len--;
        if (start - arrival > q->max_age) {
            q->dropped_d++; /* auto-closed untriaged: takes no analyst time */
            continue;
        }
        if (heapreplace(free, start + minutes) < 0) return -1;
        q->busy_d += c->always ? minutes : on_shift_part(c, start, minutes);
    }
    *hold = -INFINITY;
    return 0;
}

static PyObject *run(PyObject *Py_UNUSED(self), PyObject *args) {
    double t, now, max_age, busy, hold, busy_d;
    PyObject *free, *gaps, *minutes, *pending, *low, *calobj;
    Py_ssize_t ph, crowd;
    int backlog;
    if (!PyArg_ParseTuple(args, "ddO!O!O!O!ndnpdOddO", &t, &now, &PyList_Type, &free, &PyList_Type, &gaps,
                          &PyList_Type, &minutes, &PyList_Type, &pending, &ph, &max_age, &crowd, &backlog, &busy,
                          &low, &hold, &busy_d, &calobj))
        return NULL;
    Cal c = {1, 0.0, NULL, NULL};
    if (calobj != Py_None) {
        if (!PyArg_ParseTuple(calobj, "dO!O!", &c.offset, &PyList_Type, &c.starts, &PyList_Type, &c.ends)) return NULL;
        c.always = 0;
        if (!all_floats(c.starts) || !all_floats(c.ends) || PyList_GET_SIZE(c.starts) != PyList_GET_SIZE(c.ends) ||
            PyList_GET_SIZE(c.ends) == 0) {
            PyErr_SetString(PyExc_ValueError, "_socfast.run: a calendar's windows must be lists of float");
            return NULL;
        }
    }
    /* the draws and the placed starts are checked as they are read (draw(), below): checking whole lists on every
     * call would cost more than the work */
    if (PyList_GET_SIZE(free) == 0 || !all_floats(free) || ph < 0 || ph > PyList_GET_SIZE(pending)) {
        PyErr_SetString(PyExc_ValueError, "_socfast.run: lists of float expected");
        return NULL;
    }
    Queue q = {max_age, busy_d, 0, low, NULL, NULL, 0};
    q.len = PyObject_Length(low);
    if (q.len < 0) return NULL;
    q.popleft = PyObject_GetAttr(low, str_popleft);
    if (q.popleft == NULL) return NULL;
    q.append = PyObject_GetAttr(low, str_append);
    if (q.append == NULL) {
        Py_DECREF(q.popleft);
        return NULL;
    }
    Py_ssize_t ng = PyList_GET_SIZE(gaps), nm = PyList_GET_SIZE(minutes);
    Py_ssize_t arrived = 0, dropped = 0, placed = 0;
    double watch_at = 0.0;
    int stop = 0;
    while (t <= now) {
        if (ng == 0 || nm == 0) { /* the draws need refilling: Python takes this alert */
            stop = 1;
            break;
        }
        if (q.len > 0 && t >= hold) {
            int rc = dispatch(&c, &q, free, t, &hold);
            if (rc < 0) goto fail;
            if (rc == 1) { /* Python takes this alert, dispatching the true one first */
                stop = 1;
                break;
            }
        }
        arrived++;
        double m;
        if (draw(minutes, --nm, &m) < 0) goto fail;
        Py_ssize_t np = PyList_GET_SIZE(pending);
        while (ph < np) { /* placed alerts still waiting at t */
            double p;
            if (draw(pending, ph, &p) < 0) goto fail;
            if (p > t) break;
            ph++;
        }
        Py_ssize_t qlen = q.len;
        if (qlen == 0) {
            double start = item(free, 0);
            if (start < t) start = t;
            if (!c.always) start = next_on_shift(&c, start);
            if (start == t) { /* an analyst is free: taken at once */
                if (heapreplace(free, t + m) < 0) goto fail;
                busy += c.always ? m : on_shift_part(&c, t, m);
                backlog = 0;
                if (advance(gaps, &ng, &t) < 0) goto fail;
                continue;
            }
            if (start <= now) { /* waits, but its start is known: nothing can overtake it any more */
                if (start - t > max_age) {
                    dropped++;
                } else {
                    if (heapreplace(free, start + m) < 0) goto fail;
                    busy += c.always ? m : on_shift_part(&c, start, m);
                }
                PyObject *s = PyFloat_FromDouble(start);
                if (s == NULL) goto fail;
                int err = PyList_Append(pending, s);
                Py_DECREF(s);
                if (err < 0) goto fail;
                Py_ssize_t waiting = PyList_GET_SIZE(pending) - ph;
                double at = t;
                if (advance(gaps, &ng, &t) < 0) goto fail;
                if (!backlog && waiting >= crowd) {
                    stop = 2;
                    watch_at = at;
                    placed = waiting;
                    break;
                }
                continue;
            }
            hold = -INFINITY; /* this alert becomes the queue's head */
        }
        PyObject *entry = Py_BuildValue("(ddO)", t, m, Py_None);
        if (entry == NULL) goto fail;
        PyObject *res = PyObject_CallOneArg(q.append, entry);
        Py_DECREF(entry);
        if (res == NULL) goto fail;
        Py_DECREF(res);
        q.len++;
        Py_ssize_t waiting = PyList_GET_SIZE(pending) - ph;
        double at = t;
        if (advance(gaps, &ng, &t) < 0) goto fail;
        if (!backlog && waiting + qlen + 1 >= crowd) {
            stop = 2;
            watch_at = at;
            placed = waiting;
            break;
        }
    }
    Py_DECREF(q.popleft);
    Py_DECREF(q.append);
    if (PyList_SetSlice(gaps, ng, PyList_GET_SIZE(gaps), NULL) < 0) return NULL;
    if (PyList_SetSlice(minutes, nm, PyList_GET_SIZE(minutes), NULL) < 0) return NULL;
    return Py_BuildValue("dnnnndddiidn", t, ph, arrived, dropped, q.dropped_d, busy, q.busy_d, hold, backlog, stop,
                         watch_at, placed);
fail:
    Py_DECREF(q.popleft);
    Py_DECREF(q.append);
    PyList_SetSlice(gaps, ng, PyList_GET_SIZE(gaps), NULL);
    PyList_SetSlice(minutes, nm, PyList_GET_SIZE(minutes), NULL);
    return NULL;
}

static PyMethodDef methods[] = {
    {"run", run, METH_VARARGS, "Benign alerts while no high-confidence alert waits (see the module's source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_socfast", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__socfast(void) {
    str_popleft = PyUnicode_InternFromString("popleft");
    str_append = PyUnicode_InternFromString("append");
    if (str_popleft == NULL || str_append == NULL) return NULL;
    return PyModule_Create(&module);
}
