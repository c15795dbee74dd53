"""Chat: conversations whose assistant replies stream into Firestore."""
