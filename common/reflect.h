/* reflect.h - what a request message carries, read by field name through its protobuf-c
 * descriptor: a string field, and the paths of a FieldMask (the update_mask the gateway
 * fills from the keys a JSON body sent, so "absent" and "null" differ), and the fields two
 * messages share.
 * Owns nothing; results borrow from the message. Threads: any; pure. */
#ifndef HANGAR_REFLECT_H
#define HANGAR_REFLECT_H

#include <protobuf-c/protobuf-c.h>

#include "google/protobuf/field_mask.pb-c.h"

/* The string value of field name of msg when it is present, else NULL (also when msg has
 * no such field or it holds no string). Present: a oneof member (proto3 optional) when its
 * case names it; a plain string when not ""; a wrapper message (StringValue, RawObject) by
 * its one string field. The result borrows from msg. */
const char *hg_field_string(const ProtobufCMessage *msg, const char *name);

/* Shallow-copies into dst every singular string or message field that src has under the
 * same name and type (a message field: of the same message type), so a view of a record
 * (a summary, a tree node) is filled from it without a line per field. dst's other fields
 * are untouched; dst borrows src's strings and messages. Oneof members are not copied. */
void hg_copy_shared_fields(const ProtobufCMessage *src, ProtobufCMessage *dst);

/* Is path one of mask's paths? A NULL mask has none. */
int hg_mask_has(const Google__Protobuf__FieldMask *mask, const char *path);

#endif
