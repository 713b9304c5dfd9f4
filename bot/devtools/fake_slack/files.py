"""Files in the fake: uploaded files, files.info and private downloads that need the bot token
(mixed into FakeSlack)."""

from __future__ import annotations

import copy
import json
import mimetypes
import urllib.parse
from collections.abc import Mapping
from typing import Any

from bot.devtools.fake_slack.state import FILES_METHOD, Answer, SlackError, StoredFile, bearer

UPLOAD_METHOD = "files-upload"  # how uploads to an upload URL appear in `calls`


class FilesMixin:
    def add_file(self, file_id: str, name: str, content: bytes, *, mimetype: str | None = None,
                 team_id: str | None = None, user_id: str | None = None,
                 title: str | None = None) -> dict[str, Any]:
        """An uploaded file: files.info describes it; its url_private_download serves `content`
        to a request bearing the bot token. Returns the file object (as in file_input state)."""
        team = team_id or self.team_id
        mimetype = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
        quoted = urllib.parse.quote(name)
        base = f"{self.root_url}/files-pri/{team}-{file_id}"
        now = int(self.clock())
        info = {"id": file_id, "created": now, "timestamp": now, "name": name,
                "title": title or name, "mimetype": mimetype,
                "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "binary",
                "pretty_type": mimetype, "user": user_id or "U0UPLOADER", "user_team": team,
                "size": len(content), "mode": "hosted", "is_external": False,
                "is_public": False, "url_private": f"{base}/{quoted}",
                "url_private_download": f"{base}/download/{quoted}",
                "permalink": f"https://{self.team_domain}.slack.com/files/{file_id}/{quoted}"}
        with self._cond:
            self.files[file_id] = StoredFile(info, bytes(content))
        return copy.deepcopy(info)

    def file_info(self, file_id: str) -> dict[str, Any]:
        with self._cond:
            return copy.deepcopy(self.files[file_id].info)

    def redirect_file(self, file_id: str, location: str) -> None:
        """The file's private URLs answer an authorized request with a 302 to `location` (a
        redirect off Slack, which a client holding the token must not follow)."""
        with self._cond:
            self.files[file_id].redirect = location

    def handle_download(self, path: str, headers: Mapping[str, str]) -> Answer:
        with self._cond:
            answer = self._injected(FILES_METHOD) or self._download(path, headers)
            self._record(FILES_METHOD, {"path": path}, headers, answer)
            return answer

    def _download(self, path: str, headers: Mapping[str, str]) -> Answer:
        # /files-pri/<team>-<file id>/[download/]<name>
        parts = path.split("/")
        if len(parts) < 4 or "-" not in parts[2]:
            return Answer(404, raw=b"Not found", content_type="text/plain")
        team, file_id = parts[2].split("-", 1)
        stored = self.files.get(file_id)
        if stored is None or team != stored.info["user_team"]:
            return Answer(404, raw=b"Not found", content_type="text/plain")
        if bearer(headers) != self.bot_token:
            # Like Slack: no error status, a redirect to the sign-in page (HTML), so a client
            # that follows redirects and does not check the content type saves a web page.
            return Answer(302, headers={"Location": f"{self.root_url}/signin?redir={path}"},
                           raw=b"", content_type="text/html; charset=utf-8")
        if stored.redirect is not None:
            return Answer(302, headers={"Location": stored.redirect}, raw=b"",
                           content_type="text/plain")
        return Answer(200, raw=stored.content, content_type=stored.info["mimetype"])

    def _files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(params.get("file") or "")
        if stored is None:
            raise SlackError("file_not_found")
        return {"file": copy.deepcopy(stored.info), "comments": [],
                "response_metadata": {"next_cursor": ""}}

    # -- files_upload_v2: an upload URL, the bytes posted to it, then completion ------------

    def uploaded(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Files the bot uploaded (completed), oldest first; with `channel`, those shared
        there (a user ID means the bot's DM with them). Each is its file object plus
        `content` (bytes) and `shared_to`."""
        with self._cond:
            wanted = self._resolve_channel(channel) if channel else None
            return [{**copy.deepcopy(u["info"]), "content": u["content"],
                     "shared_to": u["channel"]} for u in self._uploads
                    if u.get("info") and (wanted is None or u["channel"] == wanted)]

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), str(params.get("length") or "")
        if not filename or not length.isdigit() or int(length) < 1:
            raise SlackError("invalid_arguments")
        file_id = self._new_id("F")
        self._pending_uploads[file_id] = {"filename": str(filename), "length": int(length),
                                          "content": None}
        return {"upload_url": f"{self.root_url}/upload/v1/{file_id}", "file_id": file_id}

    def handle_upload(self, path: str, body: bytes) -> Answer:
        """POST of a file's bytes to the URL files.getUploadURLExternal gave."""
        with self._cond:
            pending = self._pending_uploads.get(path.rsplit("/", 1)[-1])
            if pending is None:
                answer = Answer(404, raw=b"Not found", content_type="text/plain")
            else:
                pending["content"] = bytes(body)
                answer = Answer(200, raw=f"OK - {len(body)}".encode(), content_type="text/plain")
            self._record(UPLOAD_METHOD, {"path": path, "size": len(body)}, {}, answer)
            return answer

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                raise SlackError("invalid_arguments") from None
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        channel = params.get("channel_id") or params.get("channels")
        channel = self._resolve_channel(str(channel).split(",")[0]) if channel else None
        if channel and channel in self.channels and not self.channels[channel]["is_member"]:
            raise SlackError("not_in_channel")
        done = []
        for entry in files:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            pending = self._pending_uploads.get(file_id or "")
            if pending is None or pending["content"] is None:
                raise SlackError("file_not_found")
            if len(pending["content"]) != pending["length"]:
                raise SlackError("file_upload_size_mismatch")
            info = self.add_file(file_id, pending["filename"], pending["content"],
                                 user_id=self.bot_user_id, title=entry.get("title"))
            del self._pending_uploads[file_id]
            self._uploads.append({"info": info, "content": pending["content"],
                                  "channel": channel})
            done.append({"id": file_id, "title": info["title"]})
        if channel:
            message = self._post(channel, {"text": params.get("initial_comment") or ""})
            message["files"] = [copy.deepcopy(self.files[f["id"]].info) for f in done]
        return {"files": done}
