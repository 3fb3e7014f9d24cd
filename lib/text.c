/* SPDX-License-Identifier: MIT */
/*
 * text.c - a locale-free, allocation-free snprintf subset and number
 * parser.  glibc's snprintf may allocate (wide precisions, positional
 * arguments) and consults the locale; strtol consults the locale too.
 * Neither may run in a signal handler, where the shim's bind() may be.
 */
#include <stdint.h>

#include "text.h"

struct sink {
	char *buf;
	size_t size, len;
};

static void emit(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

/* Digits of v in base (10 or 16), padded to width with pad. */
static void emit_num(struct sink *s, unsigned long long v, int neg, int base,
		     int upper, int width, char pad, int left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v && n < (int)sizeof(tmp));
	width -= n + neg;
	if (neg && pad == '0')
		emit(s, '-');
	for (; !left && width > 0; width--)
		emit(s, pad);
	if (neg && pad != '0')
		emit(s, '-');
	while (n > 0)
		emit(s, tmp[--n]);
	for (; width > 0; width--)
		emit(s, ' ');
}

int pb__vfmt(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { buf, size, 0 };
	const char *p, *start;

	for (p = fmt; *p; p++) {
		int width = 0, prec = -1, lng = 0, left = 0;
		char pad = ' ';

		if (*p != '%') {
			emit(&s, *p);
			continue;
		}
		start = p++;
		for (;; p++) {
			if (*p == '0')
				pad = '0';
			else if (*p == '-')
				left = 1;
			else
				break;
		}
		if (left)
			pad = ' ';
		while (*p >= '0' && *p <= '9' && width < 1000)
			width = width * 10 + (*p++ - '0');
		if (*p == '.') {
			p++;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				prec = 0;
				while (*p >= '0' && *p <= '9' && prec < 100000)
					prec = prec * 10 + (*p++ - '0');
			}
		}
		for (;;) {
			if (*p == 'l')
				lng++;
			else if (*p == 'z')
				lng = 3;
			else if (*p != 'h')
				break;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			long long v = lng == 0 ? va_arg(ap, int)
				    : lng == 1 ? va_arg(ap, long)
				    : lng == 3 ? (long long)va_arg(ap, size_t)
				    : va_arg(ap, long long);
			unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
						     : (unsigned long long)v;

			emit_num(&s, u, v < 0, 10, 0, width, pad, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = lng == 0 ? va_arg(ap, unsigned)
					     : lng == 1 ? va_arg(ap, unsigned long)
					     : lng == 3 ? va_arg(ap, size_t)
					     : va_arg(ap, unsigned long long);

			emit_num(&s, v, 0, *p == 'u' ? 10 : 16, *p == 'X',
				 width, pad, left);
			break;
		}
		case 'c':
			emit(&s, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			int n = 0;

			if (!str)
				str = "(null)";
			while (str[n] && (prec < 0 || n < prec))
				n++;
			width -= n;
			for (; !left && width > 0; width--)
				emit(&s, ' ');
			while (n-- > 0)
				emit(&s, *str++);
			for (; width > 0; width--)
				emit(&s, ' ');
			break;
		}
		case '%':
			emit(&s, '%');
			break;
		default:
			/* Not ours: copy the directive as written. */
			for (; start <= p && *start; start++)
				emit(&s, *start);
			if (!*p)
				p--;
			break;
		}
	}
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len > INT32_MAX ? INT32_MAX : (int)s.len;
}

int pb__fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pb__vfmt(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

long long pb__parse_num(const char *s, int base, unsigned long long max,
			const char **end)
{
	unsigned long long v = 0;
	const char *p = s;
	int d;

	if (max > (unsigned long long)INT64_MAX)
		max = (unsigned long long)INT64_MAX;
	for (;; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		/* v * base + d <= max, without overflow: d itself first
		   (max - d would wrap for a digit over a small max). */
		if ((unsigned)d > max || v > (max - (unsigned)d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + (unsigned)d;
	}
	if (p == s)
		return -1;
	if (end)
		*end = p;
	return (long long)v;
}
