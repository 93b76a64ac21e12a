#include "proto/emakin_message.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace hookbroker {
namespace {

bool IsCleanId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxEmakinCaseIdLength &&
         std::none_of(id.begin(), id.end(), [](char c) {
           const auto byte = static_cast<unsigned char>(c);
           return byte < 0x20 || byte == 0x7f;
         });
}

Error IdError(const std::string& field) {
  return Error::Invalid(field, field + ": must be a non-empty string of at most " +
                                   std::to_string(kMaxEmakinCaseIdLength) +
                                   " characters without control characters");
}

// An optional string field of an attachment; "" when absent.
Result<std::string> AttachmentString(const boost::json::object& a, std::string_view key,
                                     const std::string& where) {
  const boost::json::value* v = a.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string())
    return Error::Invalid(where, where + "." + std::string(key) + ": must be a string");
  return std::string(v->get_string());
}

Result<EmakinAttachment> ParseAttachment(const boost::json::value& value,
                                         const std::string& where) {
  const boost::json::object* a = value.if_object();
  if (a == nullptr) return Error::Invalid(where, where + ": must be a JSON object");
  Result<std::string> type = AttachmentString(*a, "@type", where);
  if (!type) return type.error();
  EmakinAttachment out;
  if (*type == "file") {
    out.kind = EmakinAttachment::Kind::kFile;
  } else if (*type == "link") {
    out.kind = EmakinAttachment::Kind::kLink;
  } else {
    return Error::Invalid(where, where + ".@type: must be \"file\" or \"link\"");
  }
  Result<std::string> url = AttachmentString(*a, "url", where);
  if (!url) return url.error();
  if (url->empty()) return Error::Invalid(where, where + ".url: is required");
  Result<std::string> name = AttachmentString(*a, "displayName", where);
  if (!name) return name.error();
  Result<std::string> ext = AttachmentString(*a, "ext", where);
  if (!ext) return ext.error();
  out.url = std::move(url).value();
  out.display_name = name->empty() ? out.url : std::move(name).value();
  out.ext = std::move(ext).value();
  return out;
}

}  // namespace

Result<EmakinMessage> ParseEmakinMessage(const boost::json::value& body) {
  const boost::json::object* obj = body.if_object();
  if (obj == nullptr) return Error{"invalid_json", "request body must be a JSON object", ""};
  EmakinMessage msg;
  if (const boost::json::value* text = obj->if_contains("text"); text && !text->is_null()) {
    if (!text->is_string()) return Error::Invalid("text", "text: must be a string");
    msg.text = std::string(text->get_string());
  }

  const boost::json::value* list = obj->if_contains("attachments");
  std::string list_name = "attachments";
  if (const boost::json::value* old = obj->if_contains("attachment"); old && !old->is_null()) {
    if (list != nullptr && !list->is_null()) {
      return Error::Invalid("attachment", "attachment: give attachments or attachment, not both");
    }
    list = old;
    list_name = "attachment";
  }
  if (list != nullptr && !list->is_null()) {
    // The older spelling also appears with a single object.
    if (list->is_object()) {
      Result<EmakinAttachment> a = ParseAttachment(*list, list_name);
      if (!a) return a.error();
      msg.attachments.push_back(std::move(a).value());
    } else if (const boost::json::array* items = list->if_array()) {
      if (items->size() > kMaxEmakinAttachments) {
        return Error::Invalid(
            list_name, list_name + ": at most " + std::to_string(kMaxEmakinAttachments) + " items");
      }
      for (std::size_t i = 0; i < items->size(); ++i) {
        Result<EmakinAttachment> a =
            ParseAttachment((*items)[i], list_name + "[" + std::to_string(i) + "]");
        if (!a) return a.error();
        msg.attachments.push_back(std::move(a).value());
      }
    } else {
      return Error::Invalid(list_name, list_name + ": must be an array of attachments");
    }
  }
  if (msg.text.empty() && msg.attachments.empty()) {
    return Error::Invalid("text", "text: give a text or at least one attachment");
  }

  if (const boost::json::value* id = obj->if_contains("id"); id && !id->is_null()) {
    if (!id->is_string() || !IsCleanId(id->get_string())) return IdError("id");
    msg.id = std::string(id->get_string());
  }
  if (const boost::json::value* refs = obj->if_contains("references"); refs && !refs->is_null()) {
    const boost::json::array* items = refs->if_array();
    if (items == nullptr || items->size() > kMaxEmakinReferences) {
      return Error::Invalid("references", "references: must be an array of at most " +
                                              std::to_string(kMaxEmakinReferences) +
                                              " earlier ids");
    }
    for (const boost::json::value& r : *items) {
      if (!r.is_string() || !IsCleanId(r.get_string())) return IdError("references");
      msg.references.emplace_back(r.get_string());
    }
  }
  return msg;
}

std::string EmakinFileName(const EmakinAttachment& a) {
  if (a.ext.empty()) return a.display_name;
  const std::string suffix = "." + a.ext;
  if (a.display_name.size() >= suffix.size() &&
      a.display_name.compare(a.display_name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return a.display_name;
  }
  return a.display_name + suffix;
}

}  // namespace hookbroker
