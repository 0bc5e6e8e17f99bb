#include "emit_info.h"
#include "reloc_arch.h"

#include <sys/mman.h>

const char *emit_prot(int prot, char *buf)
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

static json_t *segments_json(const struct load_plan *plan)
{
	json_t *arr = json_array();
	char prot[4];

	for (size_t i = 0; i < plan->nseg; i++) {
		const struct plan_segment *s = &plan->seg[i];
		json_t *o = json_object();
		emit_int(o, "vaddr", s->vaddr);
		emit_int(o, "mem_size", s->memsz);
		emit_int(o, "file_offset", s->offset);
		emit_int(o, "file_size", s->filesz);
		emit_str(o, "prot", emit_prot(s->prot, prot));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *relocations_json(const struct description *d)
{
	json_t *o = json_object();
	size_t total = d->relr_count + d->reloc_other;

	for (unsigned t = 0; t < DESCRIBE_RELOC_TYPES; t++) {
		char unknown[16];
		const char *name = reloc_type_name(t);
		if (!d->reloc_count[t])
			continue;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "type_%u", t);
			name = unknown;
		}
		emit_int(o, name, d->reloc_count[t]);
		total += d->reloc_count[t];
	}
	if (d->relr_count)
		emit_int(o, "RELR", d->relr_count);
	if (d->reloc_other)
		emit_int(o, "other", d->reloc_other);
	emit_int(o, "total", total);
	return o;
}

static json_t *phdr_json(const Elf64_Phdr *ph, int with_align)
{
	json_t *o;

	if (ph->p_type == PT_NULL)
		return json_null();
	o = json_object();
	emit_int(o, "vaddr", ph->p_vaddr);
	emit_int(o, "size", ph->p_memsz);
	if (with_align) {
		emit_int(o, "file_size", ph->p_filesz);
		emit_int(o, "align", ph->p_align);
	}
	return o;
}

static json_t *flags_json(const struct description *d)
{
	static const struct {
		int dt_flags_1;
		uint64_t bit;
		const char *name;
	} names[] = {
	        {0, DF_SYMBOLIC, "SYMBOLIC"}, {0, DF_TEXTREL, "TEXTREL"},
	        {0, DF_BIND_NOW, "BIND_NOW"}, {0, DF_STATIC_TLS, "STATIC_TLS"},
	        {1, DF_1_NOW, "NOW"},         {1, DF_1_NODELETE, "NODELETE"},
	        {1, DF_1_NOOPEN, "NOOPEN"},   {1, DF_1_PIE, "PIE"},
	};
	json_t *arr = json_array();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((names[i].dt_flags_1 ? d->flags_1 : d->flags) & names[i].bit)
			json_array_append_new(arr, json_string(names[i].name));
	return arr;
}

json_t *emit_info_doc(const struct description *d)
{
	json_t *doc = emit_doc("info", true), *needed = json_array(), *hash = json_array();

	emit_str(doc, "library", d->path);
	emit_str(doc, "soname", d->soname);
	emit_str(doc, "runpath", d->runpath);
	emit_int(doc, "span", d->plan.hi - d->plan.lo);
	emit_int(doc, "align", d->plan.align);
	json_object_set_new(doc, "segments", segments_json(&d->plan));
	for (size_t i = 0; i < d->nneeded; i++)
		json_array_append_new(needed, emit_string(d->needed[i]));
	json_object_set_new(doc, "needed", needed);
	json_object_set_new(doc, "relocations", relocations_json(d));
	emit_int(doc, "symbols", d->nsyms);
	if (d->gnu_hash)
		json_array_append_new(hash, json_string("gnu"));
	if (d->sysv_hash)
		json_array_append_new(hash, json_string("sysv"));
	json_object_set_new(doc, "hash_styles", hash);
	json_object_set_new(doc, "versioned", json_boolean(d->versioned));
	json_object_set_new(doc, "tls", phdr_json(&d->plan.tls, 1));
	json_object_set_new(doc, "relro", phdr_json(&d->plan.relro, 0));
	if (d->build_id[0])
		emit_str(doc, "build_id", d->build_id);
	else
		emit_unmeasured(doc, "build_id", "no NT_GNU_BUILD_ID note");
	json_object_set_new(doc, "flags", flags_json(d));
	return doc;
}

void emit_info_text(FILE *out, const struct description *d)
{
	char prot[4];

	fprintf(out, "%s%s%s\n", d->path, d->soname ? "  soname " : "",
	        d->soname ? d->soname : "");
	fprintf(out, "  build-id   %s\n", d->build_id[0] ? d->build_id : "(none)");
	fprintf(out, "  segments   %zu, span 0x%lx, align 0x%lx\n", d->plan.nseg,
	        d->plan.hi - d->plan.lo, d->plan.align);
	for (size_t i = 0; i < d->plan.nseg; i++) {
		const struct plan_segment *s = &d->plan.seg[i];
		fprintf(out, "    %s vaddr 0x%08lx size 0x%07lx file 0x%07lx+0x%lx\n",
		        emit_prot(s->prot, prot), s->vaddr, s->memsz, s->offset, s->filesz);
	}
	if (d->plan.relro.p_type != PT_NULL)
		fprintf(out, "  relro      0x%lx+0x%lx\n", d->plan.relro.p_vaddr,
		        d->plan.relro.p_memsz);
	if (d->plan.tls.p_type != PT_NULL)
		fprintf(out, "  tls        0x%lx bytes (0x%lx initialised), align %lu\n",
		        d->plan.tls.p_memsz, d->plan.tls.p_filesz, d->plan.tls.p_align);
	fprintf(out, "  symbols    %zu (%s%s%s)\n", d->nsyms, d->gnu_hash ? "gnu" : "",
	        d->gnu_hash && d->sysv_hash ? "+" : "", d->sysv_hash ? "sysv" : "");
	for (size_t i = 0; i < d->nneeded; i++)
		fprintf(out, "  needed     %s\n", d->needed[i]);
	if (d->runpath)
		fprintf(out, "  runpath    %s\n", d->runpath);
	for (unsigned t = 0; t < DESCRIBE_RELOC_TYPES; t++)
		if (d->reloc_count[t])
			fprintf(out, "  reloc      %-10s %zu\n",
			        reloc_type_name(t) ? reloc_type_name(t) : "?", d->reloc_count[t]);
	if (d->relr_count)
		fprintf(out, "  reloc      %-10s %zu\n", "RELR", d->relr_count);
}
