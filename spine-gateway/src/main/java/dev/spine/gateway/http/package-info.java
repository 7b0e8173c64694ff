/**
 * The HTTP toolkit every route of the spine uses (the gateway's and the server's admin API): one error type
 * ({@link dev.spine.gateway.http.ApiException}, answered as
 * {@code {"status":"error","errorCode":...,"message":...,"details":{...}}}), one JSON writer and body reader
 * ({@link dev.spine.gateway.http.JsonReplies}), one parameter reader whose 400s name the parameter
 * ({@link dev.spine.gateway.http.RequestParams}) and the constant-time admin token check
 * ({@link dev.spine.gateway.http.BearerAuth}). It lives here because the gateway is the lowest module that
 * serves HTTP; the server builds on it.
 */
package dev.spine.gateway.http;
