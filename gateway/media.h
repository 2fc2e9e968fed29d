/* media.h - media types in Content-Type and Accept headers (RFC 9110 8.3, 12.5.1).
 *
 * Only what routing and body checks need: is a Content-Type JSON, and does an Accept header
 * ask for one given type. Types compare case-insensitively; parameters (charset, q ...) are
 * ignored, except that q=0 in Accept refuses the type it follows.
 * Owns nothing; pure. Threads: any. */
#ifndef HANGAR_GW_MEDIA_H
#define HANGAR_GW_MEDIA_H

/* 1 when content_type is application/json or application/<anything>+json; 0 otherwise
 * (NULL or empty included). */
int gw_media_is_json(const char *content_type);

/* 1 when content_type is a YAML type (application/yaml, application/x-yaml, text/yaml,
 * text/x-yaml); 0 otherwise (NULL included). */
int gw_media_is_yaml(const char *content_type);

/* 1 when the Accept header value names type exactly (wildcards do not count: a variant is
 * served only to a client that asks for it by name); 0 otherwise (NULL accept included). */
int gw_media_accepts(const char *accept, const char *type);

#endif
