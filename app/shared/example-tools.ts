import type { ConfiguredToolInput } from './config-schema.js';

/**
 * The demo's configured tools over the sample database: a read ("orders of a customer between two dates"), the
 * sample's stored procedure (an order summary of a customer) and a confirmed write (an order's status). The demo's
 * policy gives the reads to analysts and DBAs, the write to DBAs.
 */
export const EXAMPLE_TOOLS = [
  {
    name: 'customer_orders',
    title: 'Orders of a customer',
    description:
      'The orders one customer placed between two dates, newest first: order id, date and status. Find the customer id with search_schema or run_query on Customers first.',
    connection: 'sample',
    statement:
      'SELECT OrderID, OrderDate, Status FROM Orders WHERE CustomerID = @customer_id AND OrderDate >= @from AND OrderDate < @to ORDER BY OrderDate DESC',
    parameters: [
      { name: 'customer_id', type: 'int', min: 1, description: 'The customer (Customers.CustomerID).' },
      { name: 'from', type: 'date', description: 'First day included.' },
      { name: 'to', type: 'date', description: 'First day no longer included.' },
    ],
    tags: ['orders'],
  },
  {
    name: 'customer_summary',
    title: 'Order summary of a customer',
    description:
      'How many orders one customer placed since a date, by status, with the last order of each (the stored procedure dbo.usp_CustomerOrderSummary).',
    connection: 'sample',
    // Its parameters (@CustomerID int, @Since date) are read from sys.parameters.
    procedure: 'dbo.usp_CustomerOrderSummary',
    tags: ['orders'],
  },
  {
    name: 'set_order_status',
    title: 'Set the status of an order',
    description:
      'Sets one order’s status. The person is shown the change and confirms it before it is committed.',
    connection: 'sample',
    mode: 'write',
    statement: 'UPDATE Orders SET Status = @status WHERE OrderID = @order_id',
    parameters: [
      { name: 'order_id', type: 'int', min: 1, description: 'The order (Orders.OrderID).' },
      {
        name: 'status',
        type: 'varchar(20)',
        enum: ['Open', 'Shipped', 'Delivered', 'Cancelled'],
        description: 'The new status.',
      },
    ],
    tags: ['orders-admin'],
  },
] satisfies ConfiguredToolInput[];
