#include "broker/channel_store.h"

#include <boost/json/serialize.hpp>

#include "broker/channel_codec.h"

namespace hookbroker {

Result<std::optional<Channel>> ChannelStore::ById(std::string_view id) const {
  auto bytes = store_.GetRecord(RecordKind::kChannel, id);
  if (!bytes) return bytes.error();
  if (!*bytes) return std::optional<Channel>();
  auto channel = DecodeChannelRecord(**bytes);
  if (!channel) return channel.error();
  return std::optional<Channel>(std::move(*channel));
}

Result<std::optional<Channel>> ChannelStore::ByName(std::string_view name) const {
  auto all = List();
  if (!all) return all.error();
  for (Channel& c : *all) {
    if (c.name == name) return std::optional<Channel>(std::move(c));
  }
  return std::optional<Channel>();
}

Result<std::vector<Channel>> ChannelStore::List() const {
  auto records = store_.ListRecords(RecordKind::kChannel);
  if (!records) return records.error();
  std::vector<Channel> out;
  out.reserve(records->size());
  for (const StoredRecord& r : *records) {
    auto channel = DecodeChannelRecord(r.value);
    if (!channel) return channel.error();
    out.push_back(std::move(*channel));
  }
  return out;
}

Result<ChannelStore::PutOutcome> ChannelStore::Put(const Channel& channel) {
  std::lock_guard<std::mutex> lock(write_mu_);
  auto holder = ByName(channel.name);
  if (!holder) return holder.error();
  if (*holder && (*holder)->id != channel.id) {
    return Error{"conflict",
                 "name: the channel " + (*holder)->id + " is already called " + channel.name,
                 "name"};
  }
  auto existing = store_.GetRecord(RecordKind::kChannel, channel.id);
  if (!existing) return existing.error();
  if (Status s = store_.PutRecord(RecordKind::kChannel, channel.id,
                                  boost::json::serialize(ChannelToJson(channel)));
      !s) {
    return s.error();
  }
  return PutOutcome{.created = !existing->has_value()};
}

Result<bool> ChannelStore::Delete(std::string_view id) {
  std::lock_guard<std::mutex> lock(write_mu_);
  return store_.DeleteRecord(RecordKind::kChannel, id);
}

}  // namespace hookbroker
