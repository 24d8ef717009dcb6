'use strict'
// placeholder: being written
class EventStore_ {}
class createEventStore_ {}
module.exports = { EventStore: EventStore_, createEventStore: createEventStore_, }
