//! How the embedded store's keys are laid out (the table in `embedded.rs`),
//! and decoding what it reads.

use serde::de::DeserializeOwned;
use sled::transaction::TransactionError;
use uuid::Uuid;

use super::OfflineMessage;
use crate::conversation::ConversationRecord;
use crate::store::StoreError;

pub(in crate::store) fn decode_opt<T: DeserializeOwned>(
    value: Option<sled::IVec>,
) -> Result<Option<T>, StoreError> {
    Ok(match value {
        Some(v) => Some(serde_json::from_slice(&v)?),
        None => None,
    })
}

pub(in crate::store) fn offline_key(message: &OfflineMessage) -> Vec<u8> {
    let nanos = u64::try_from(message.at.unix_timestamp_nanos()).unwrap_or(0);
    let mut key = nanos.to_be_bytes().to_vec();
    key.extend_from_slice(message.id.as_bytes());
    key
}

/// The outcome of a transaction whose closure never aborts.
pub(in crate::store) fn committed(
    result: Result<(), TransactionError<()>>,
) -> Result<(), StoreError> {
    match result {
        Ok(()) => Ok(()),
        Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
        Err(TransactionError::Abort(())) => unreachable!("the transaction closure never aborts"),
    }
}

pub(in crate::store) fn visitor_key(record: &ConversationRecord) -> Vec<u8> {
    let created = record.created_at.unix_timestamp_nanos() as u128 ^ (1 << 127);
    let mut key = record.visitor().as_bytes().to_vec();
    key.extend_from_slice(&created.to_be_bytes());
    key.extend_from_slice(record.id.as_bytes());
    key
}

pub(crate) fn message_key(conversation: Uuid, seq: u64) -> Vec<u8> {
    let mut key = conversation.as_bytes().to_vec();
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

pub(in crate::store) fn client_key(conversation: Uuid, client_id: &str) -> Vec<u8> {
    let mut key = conversation.as_bytes().to_vec();
    key.extend_from_slice(client_id.as_bytes());
    key
}
